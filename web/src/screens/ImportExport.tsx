// Import & export (ADMIN): bring packages in from another system as a CSV file (checked by a dry run first,
// written only when the check is clean), and take packages and their history out as files.
import { useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { ApiError } from '../api/client';
import type { ImportSummary, Lifecycle } from '../api/types';
import { useDesk } from '../context';
import { ExportButtons, formatBytes, saveFile } from '../components/ExportButtons';
import { ErrorNotice, Loading } from '../components/ui';

/** The API takes an import of up to 50 MB; a bigger file is refused here, before it is sent. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export function ImportExportScreen() {
  return (
    <div className="import-export">
      <h1>Import &amp; export</h1>
      <ImportPanel />
      <ExportPanel />
    </div>
  );
}

type Phase =
  | { name: 'idle' }
  /** Refused here: too big or empty. Nothing was sent. */
  | { name: 'unfit'; reason: string }
  | { name: 'checking' }
  | { name: 'checked'; dry: ImportSummary }
  | { name: 'checkFailed'; error: ApiError }
  | { name: 'importing'; dry: ImportSummary }
  | { name: 'imported'; dry: ImportSummary; result: ImportSummary }
  | { name: 'importFailed'; dry: ImportSummary; error: ApiError };

const asApiError = (e: unknown) => ApiError.from(e);
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** A refusal that names the file's bad lines, rather than one that says the request failed. */
const isRefusal = (e: ApiError) => e.status === 400 && e.fieldViolations.length > 0;

function ImportPanel() {
  const { change, changed } = useDesk();
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>({ name: 'idle' });
  const [dragging, setDragging] = useState(false);
  // Each chosen file is a new attempt: answers about an older file are dropped.
  const attempt = useRef(0);
  const inFlight = useRef<AbortController | null>(null);
  const inputId = useId();
  const helpId = useId();
  const titleId = useId();

  useEffect(() => () => inFlight.current?.abort(), []);

  const importing = phase.name === 'importing';

  const check = async (f: File) => {
    inFlight.current?.abort();
    const mine = ++attempt.current;
    const controller = new AbortController();
    inFlight.current = controller;
    setPhase({ name: 'checking' });
    try {
      const dry = await change.importPackages(f, { dryRun: true, signal: controller.signal });
      if (attempt.current === mine) setPhase({ name: 'checked', dry });
    } catch (e) {
      if (controller.signal.aborted || attempt.current !== mine) return;
      setPhase({ name: 'checkFailed', error: asApiError(e) });
    }
  };

  const choose = (f: File | undefined) => {
    if (!f || importing) return;
    inFlight.current?.abort();
    attempt.current++;
    setFile(f);
    if (f.size > MAX_IMPORT_BYTES) return setPhase({ name: 'unfit', reason: `The file is ${formatBytes(f.size)}: an import takes at most 50 MB. Split it into smaller files (whole packages in each) and import them one by one.` });
    if (f.size === 0) return setPhase({ name: 'unfit', reason: 'The file is empty.' });
    void check(f);
  };

  const runImport = async () => {
    if (!file || (phase.name !== 'checked' && phase.name !== 'importFailed')) return;
    const dry = phase.dry;
    const mine = attempt.current;
    setPhase({ name: 'importing', dry });
    try {
      const result = await change.importPackages(file, { dryRun: false });
      // Imported packages and the customers created on the way show everywhere at once.
      changed.package();
      changed.customer();
      if (attempt.current === mine) setPhase({ name: 'imported', dry, result });
    } catch (e) {
      if (attempt.current === mine) setPhase({ name: 'importFailed', dry, error: asApiError(e) });
    }
  };

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    choose(e.dataTransfer.files[0]);
  };

  const dry = phase.name === 'checked' || phase.name === 'importing' || phase.name === 'imported' || phase.name === 'importFailed' ? phase.dry : null;
  // A lost answer may hide an import that went through; importing again is safe (unchanged packages stay as they are).
  const canImport = dry !== null && dry.packages > 0 && (phase.name === 'checked' || (phase.name === 'importFailed' && !isRefusal(phase.error)));
  const importLabel = importing ? 'Importing…' : phase.name === 'imported' ? 'Imported' : dry ? `Import ${plural(dry.packages, 'package')}` : 'Import packages';

  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 id={titleId}>Import packages</h2>
      <div id={helpId} className="import-help">
        <p>
          Bring customers’ open packages from another system with their history: a CSV file with a header row, then one row per package item (rows
          with the same <code>source_id</code> are one package). The file is checked first and nothing is written until you import it. For an example
          file, see <code>docs/migration.md</code>.
        </p>
        <details>
          <summary>Which columns?</summary>
          <ul className="columns">
            <li>
              Required: <code>source_id</code>, <code>customer_id</code>, <code>business_id</code>, <code>package_name</code>, <code>service_id</code>{' '}
              or <code>product_id</code>, <code>total</code>, <code>used</code>, <code>price</code>, <code>currency</code>, <code>purchase_date</code>,{' '}
              <code>expiration_date</code> (<code>yyyy-MM-dd</code>, or empty or <code>never</code>).
            </li>
            <li>
              Optional: <code>package_description</code>, <code>template_id</code>, <code>unit_price</code>, <code>item_value</code>,{' '}
              <code>paid_amount</code>, <code>start_date</code>, <code>staff_id</code>, <code>invoice_no</code>.
            </li>
            <li>
              For a customer who is not here yet: <code>customer_first_name</code>, <code>customer_last_name</code>, <code>customer_email</code>,{' '}
              <code>customer_phone</code>.
            </li>
          </ul>
          <p className="muted">Amounts are decimals (150.00); businesses, services, products and staff must exist already. An export of packages is a valid import file.</p>
          <ExampleFile />
        </details>
      </div>

      <div
        className={`dropzone${dragging ? ' dropzone-active' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = importing ? 'none' : 'copy';
          if (!importing) setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="import-dropzone"
      >
        <label htmlFor={inputId} className="dropzone-label">
          CSV file to import
        </label>
        <input
          id={inputId}
          type="file"
          accept=".csv,text/csv"
          disabled={importing}
          aria-describedby={helpId}
          onChange={(e) => {
            choose(e.target.files?.[0]);
            // So that choosing the same file again (after fixing it) checks it again.
            e.target.value = '';
          }}
        />
        <p className="hint">or drop it here. Up to 50 MB.</p>
      </div>

      {file && (
        <p className="file-facts" aria-label="Chosen file">
          <strong className="file-name">{file.name}</strong> <span className="muted">({formatBytes(file.size)})</span>
        </p>
      )}

      {phase.name === 'unfit' && (
        <div className="notice notice-error" role="alert">
          <div>
            <strong>This file cannot be imported. </strong>
            {phase.reason}
          </div>
        </div>
      )}
      {phase.name === 'checking' && <Loading label={`Checking ${file?.name ?? 'the file'}…`} />}
      {phase.name === 'checkFailed' &&
        (isRefusal(phase.error) ? (
          <BadLines error={phase.error} />
        ) : (
          <ErrorNotice error={phase.error} title={failureTitle(phase.error, 'check')} onRetry={phase.error.retryable && file ? () => void check(file) : undefined} />
        ))}

      {dry && phase.name !== 'imported' && !(phase.name === 'importFailed' && isRefusal(phase.error)) && <Counts summary={dry} title="Dry run: nothing written yet" />}
      {dry && phase.name === 'checked' && dry.packages > 0 && dry.created === 0 && (
        <p className="notice notice-info">Every package in this file was imported before with the same values: importing it again changes nothing.</p>
      )}
      {dry && phase.name === 'checked' && dry.packages === 0 && <p className="notice notice-info">The file holds no package to import.</p>}

      {phase.name === 'importing' && <Loading label={`Importing ${plural(phase.dry.packages, 'package')}… Keep this page open.`} />}
      {phase.name === 'importFailed' &&
        (isRefusal(phase.error) ? (
          <BadLines error={phase.error} />
        ) : (
          // No retry here: the Import button below tries again.
          <ErrorNotice error={phase.error} title={failureTitle(phase.error, 'import')} />
        ))}
      {phase.name === 'imported' && (
        <>
          <div className="notice notice-success" role="status">
            <div>
              Imported {plural(phase.result.packages, 'package')}: {phase.result.created.toLocaleString()} new, {phase.result.unchanged.toLocaleString()} unchanged
              {phase.result.customersCreated > 0 ? `; ${plural(phase.result.customersCreated, 'customer')} created` : ''}.
            </div>
          </div>
          <Counts summary={phase.result} title="Imported" />
        </>
      )}

      <div className="actions import-actions">
        <button type="button" className="btn btn-primary" disabled={!canImport || importing} onClick={runImport}>
          {importLabel}
        </button>
        {phase.name === 'importFailed' && !isRefusal(phase.error) && (
          <span className="muted">Trying again is safe: packages already imported with the same values are left as they are.</span>
        )}
      </div>
    </section>
  );
}

function failureTitle(error: ApiError, what: 'check' | 'import'): string {
  if (error.status === 403) return 'Importing needs an ADMIN key.';
  if (error.status === 413 || error.reason === 'PAYLOAD_TOO_LARGE') return 'The file is too large for the server (at most 50 MB).';
  if (error.status === 0) return what === 'check' ? 'Could not check the file.' : 'The import may not have gone through.';
  if (error.status === 400) return 'The file was refused.';
  return what === 'check' ? 'Could not check the file.' : 'The import failed.';
}

function Counts({ summary, title }: { summary: ImportSummary; title: string }) {
  const titleId = useId();
  const facts: [string, number][] = [
    ['Packages', summary.packages],
    ['Items', summary.items],
    [summary.dryRun ? 'To create' : 'Created', summary.created],
    ['Unchanged', summary.unchanged],
    [summary.dryRun ? 'New customers' : 'Customers created', summary.customersCreated],
  ];
  return (
    <section className="import-counts" aria-labelledby={titleId}>
      <h3 id={titleId}>{title}</h3>
      <dl className="facts">
        {facts.map(([label, n]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{n.toLocaleString()}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

interface BadLine {
  line: number | null;
  column: string;
  problem: string;
}

/** "line 7: used" → line 7, column used; a problem of the whole file has no line. */
export function parseViolations(violations: readonly { field: string; description: string }[]): BadLine[] {
  return violations
    .map((v) => {
      const m = /^\s*line\s+(\d+)\s*(?::\s*(.*))?$/i.exec(v.field);
      return m ? { line: Number(m[1]), column: m[2]?.trim() ?? '', problem: v.description } : { line: null, column: v.field, problem: v.description };
    })
    .map((b, i) => ({ b, i }))
    .sort((x, y) => (x.b.line ?? 0) - (y.b.line ?? 0) || x.i - y.i)
    .map(({ b }) => b);
}

/** The API stops listing at 1,000 problems (API.md). */
const MAX_LISTED = 1000;

function BadLines({ error }: { error: ApiError }) {
  const rows = parseViolations(error.fieldViolations);
  const lines = new Set(rows.filter((r) => r.line !== null).map((r) => r.line)).size;
  const titleId = useId();
  return (
    <section className="bad-lines" aria-labelledby={titleId}>
      <div className="notice notice-error" role="alert">
        <div>
          <strong id={titleId}>
            Nothing was imported: {plural(rows.length, 'problem')}
            {lines > 0 ? ` on ${plural(lines, 'line')}` : ''}.
          </strong>{' '}
          Fix the file and choose it again.
          {rows.length >= MAX_LISTED && ' Only the first 1,000 problems are listed.'}
        </div>
      </div>
      <div className="table-wrap bad-lines-table">
        <table className="table">
          <caption className="visually-hidden">Problems in the file, by line</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                Line
              </th>
              <th scope="col">Column</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                <td className="num">{r.line ?? '—'}</td>
                <td>{r.column ? <code>{r.column}</code> : '—'}</td>
                <td>{r.problem}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const EXAMPLE_HEADER =
  'source_id,customer_id,business_id,package_name,service_id,total,used,price,currency,purchase_date,expiration_date,customer_first_name,customer_last_name';

/** A two-line file to start from, with the business at the counter filled in. */
function ExampleFile() {
  const { business } = useDesk();
  const download = () => {
    const row = `old-1,cus_new,${business.id},Five baths,srv_1,5,2,100.00,${business.currencyCode},2026-01-10,2027-01-10,Ann,Lee`;
    saveFile(new Blob([`${EXAMPLE_HEADER}\n${row}\n`], { type: 'text/csv' }), 'import-example.csv');
  };
  return (
    <button type="button" className="btn btn-small" onClick={download}>
      Download an example file
    </button>
  );
}

const LIFECYCLES: { value: Lifecycle | ''; label: string }[] = [
  { value: '', label: 'Any' },
  { value: 'ACTIVE', label: 'Active' },
  { value: 'NOT_STARTED', label: 'Not started' },
  { value: 'FROZEN', label: 'Frozen' },
  { value: 'EXPIRED', label: 'Expired' },
  { value: 'FULLY_REDEEMED', label: 'Used up' },
  { value: 'CANCELLED', label: 'Cancelled' },
];

function ExportPanel() {
  const { businesses, me, business } = useDesk();
  // A key limited to some businesses exports what it sees at the counter; otherwise the whole company.
  const [businessId, setBusinessId] = useState(me.businessIds.length > 0 ? business.id : '');
  const [lifecycle, setLifecycle] = useState<Lifecycle | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const ids = { business: useId(), lifecycle: useId(), from: useId(), to: useId(), title: useId() };
  const badRange = from !== '' && to !== '' && to <= from;
  return (
    <section className="card" aria-labelledby={ids.title}>
      <h2 id={ids.title}>Export</h2>
      <p className="muted">
        Files for accountants, warehouses or another system. The packages file is in the import’s columns, one row per item, with what is left of each.
      </p>
      <h3>Packages</h3>
      <div className="row">
        <div className="field grow">
          <label htmlFor={ids.business}>Sold at</label>
          <select id={ids.business} value={businessId} onChange={(e) => setBusinessId(e.target.value)}>
            {me.businessIds.length === 0 && <option value="">All businesses</option>}
            {businesses.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor={ids.lifecycle}>Lifecycle</label>
          <select id={ids.lifecycle} value={lifecycle} onChange={(e) => setLifecycle(e.target.value as Lifecycle | '')}>
            {LIFECYCLES.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ExportButtons packages={{ businessId, lifecycle: lifecycle || undefined }} show={['packages']} />
      <h3>History</h3>
      <p className="muted">Every package’s events, oldest first. Dates are days in UTC; leave them empty for all of it.</p>
      <div className="row">
        <div className="field narrow-date">
          <label htmlFor={ids.from}>From</label>
          <input id={ids.from} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field narrow-date">
          <label htmlFor={ids.to}>Up to (not including)</label>
          <input id={ids.to} type="date" value={to} onChange={(e) => setTo(e.target.value)} aria-invalid={badRange || undefined} />
        </div>
      </div>
      {badRange && <p className="field-error">The end must come after the start.</p>}
      <ExportButtons events={{ from, to }} show={['events-csv', 'events-ndjson']} disabled={badRange} />
    </section>
  );
}
