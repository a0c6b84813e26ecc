// Exports (ADMIN): the packages as CSV and the history as CSV or NDJSON. The API wants the key in the
// Authorization header, so a plain link cannot do it: the app fetches the file, then saves it from an object URL.
import { useId, useState } from 'react';
import type { Download, Lifecycle } from '../api/types';
import { useDesk } from '../context';
import { useAction } from '../lib/hooks';
import { todayIn } from '../lib/time';
import { ErrorNotice } from './ui';

/** "12 bytes", "3.4 KB", "12.3 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** packages-cmp_demo-2026-03-10.csv: what, whose, and the day (the browser's) it was taken. */
export function exportFilename(what: 'packages' | 'events', companyId: string, extension: 'csv' | 'ndjson', now: Date = new Date()): string {
  const safe = companyId.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${what}-${safe}-${todayIn(undefined, now)}.${extension}`;
}

/** Hands a file to the browser's downloads, as a click on a download link would. */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has started by then; the object URL only holds the file in memory.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

type Kind = 'packages' | 'events-csv' | 'events-ndjson';

const LABELS: Record<Kind, string> = {
  packages: 'Export packages (CSV)',
  'events-csv': 'Export history (CSV)',
  'events-ndjson': 'Export history (NDJSON)',
};

export interface ExportButtonsProps {
  /** The packages export's filter: one selling business, one lifecycle (absent: all). */
  packages?: { businessId?: string; lifecycle?: Lifecycle };
  /** The history export's window: from and to (exclusive) as yyyy-MM-dd (absent: all of it). */
  events?: { from?: string; to?: string };
  /** Which buttons to show (default: all three). */
  show?: Kind[];
  /** The filter is not valid yet. */
  disabled?: boolean;
}

export function ExportButtons({ packages = {}, events = {}, show = ['packages', 'events-csv', 'events-ndjson'], disabled = false }: ExportButtonsProps) {
  const { change, me } = useDesk();
  const action = useAction();
  const [running, setRunning] = useState<Kind | null>(null);
  const [saved, setSaved] = useState<{ filename: string; size: number } | null>(null);
  const [last, setLast] = useState<Kind | null>(null);
  const statusId = useId();

  const run = async (kind: Kind) => {
    setSaved(null);
    setRunning(kind);
    setLast(kind);
    const filename =
      kind === 'packages' ? exportFilename('packages', me.companyId, 'csv') : exportFilename('events', me.companyId, kind === 'events-csv' ? 'csv' : 'ndjson');
    const file = await action.run<Download>(`export:${kind}:${JSON.stringify(kind === 'packages' ? packages : events)}`, () =>
      kind === 'packages'
        ? change.exportPackages({ businessId: packages.businessId || undefined, lifecycle: packages.lifecycle || undefined })
        : change.exportEvents({ format: kind === 'events-csv' ? 'csv' : 'ndjson', from: events.from || undefined, to: events.to || undefined }),
    );
    setRunning(null);
    if (!file) return;
    saveFile(file.blob, filename);
    setSaved({ filename, size: file.blob.size });
  };

  const failure = action.error;
  const title =
    failure?.status === 403 ? 'Exports need an ADMIN key.' : failure?.status === 404 ? 'Nothing to export with this filter.' : failure ? 'The export failed.' : undefined;

  return (
    <div className="export-buttons">
      <div className="actions">
        {show.map((kind) => (
          <button key={kind} type="button" className="btn" onClick={() => run(kind)} disabled={action.busy || disabled} aria-describedby={statusId}>
            {running === kind ? 'Preparing…' : LABELS[kind]}
          </button>
        ))}
      </div>
      <p id={statusId} className="export-status muted" role="status" aria-live="polite">
        {running ? `Preparing ${LABELS[running].replace(/^Export /, 'the ')}…` : saved ? `Saved ${saved.filename} (${formatBytes(saved.size)}).` : ''}
      </p>
      <ErrorNotice error={failure} title={title} onRetry={failure?.retryable && last ? () => void run(last) : undefined} />
    </div>
  );
}
