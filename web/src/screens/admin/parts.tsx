// Pieces the admin screens share: the panel that shows a key or a secret once, and a confirmation dialog.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { ApiError } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ui';

type Copied = 'idle' | 'copied' | 'selected';

/** Selects an element's text, so that it can be copied by hand (Ctrl+C, or a long press on a tablet). */
function selectText(el: HTMLElement | null): void {
  const selection = window.getSelection?.();
  if (!el || !selection) return;
  const range = document.createRange();
  range.selectNodeContents(el);
  selection.removeAllRanges();
  selection.addRange(range);
}

/**
 * Copies text. The clipboard API exists only in a secure context (https or localhost): a tablet on
 * http://192.168… has none, so there the text is selected instead for the person to copy.
 */
async function copyText(text: string, el: HTMLElement | null): Promise<Copied> {
  const clipboard = typeof navigator === 'undefined' ? undefined : navigator.clipboard;
  if (clipboard?.writeText) {
    try {
      await clipboard.writeText(text);
      return 'copied';
    } catch {
      // Refused (no permission, not focused): fall back to selecting it.
    }
  }
  selectText(el);
  return 'selected';
}

/**
 * A key or secret that the API shows once: in a panel that takes focus, with a Copy button and a plain warning
 * that it will not be shown again. Closing the panel forgets it.
 */
export function SecretPanel({ title, label, secret, children, onDone }: { title: string; label: string; secret: string; children?: ReactNode; onDone: () => void }) {
  const ref = useRef<HTMLElement>(null);
  const textRef = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState<Copied>('idle');
  const titleId = useId();
  const textId = useId();
  // The dialog that made it has just closed: focus comes here, not back to the button that opened it.
  useEffect(() => {
    ref.current?.focus();
  }, [secret]);
  return (
    <section className="card secret-panel" aria-labelledby={titleId} ref={ref} tabIndex={-1}>
      <h2 id={titleId}>{title}</h2>
      <div className="notice notice-warning">
        <div>
          <strong>Copy it now: it will not be shown again.</strong> Only a fingerprint of it is kept; if it is lost, make a new one.
        </div>
      </div>
      {children}
      <div className="secret-label" id={textId}>
        {label}
      </div>
      <code className="secret-text" ref={textRef} aria-labelledby={textId} data-testid="secret-text">
        {secret}
      </code>
      <div className="actions secret-actions">
        <button type="button" className="btn btn-primary" onClick={async () => setCopied(await copyText(secret, textRef.current))}>
          Copy
        </button>
        <button type="button" className="btn" onClick={onDone}>
          Done, I have saved it
        </button>
      </div>
      <p className="secret-copied" role="status" aria-live="polite">
        {copied === 'copied' ? 'Copied.' : copied === 'selected' ? 'This page may not use the clipboard: the text is selected, copy it with Ctrl+C (or press and hold on a tablet).' : ''}
      </p>
    </section>
  );
}

/** Asks before something that cannot be undone; the error of the attempt stays in the dialog. */
export function ConfirmDialog(props: {
  title: string;
  confirmLabel: string;
  busyLabel: string;
  busy: boolean;
  error: ApiError | null;
  danger?: boolean;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      busy={props.busy}
      onSubmit={props.onConfirm}
      actions={
        <button type="submit" className={props.danger ? 'btn btn-danger' : 'btn btn-primary'} disabled={props.busy}>
          {props.busy ? props.busyLabel : props.confirmLabel}
        </button>
      }
    >
      {props.children}
      <ErrorNotice error={props.error} />
    </Dialog>
  );
}

/** "url: must use http or https" → the problems the API named for one field, as sentences. */
export function fieldProblems(error: ApiError | null, field: string): string[] {
  if (!error) return [];
  return error.fieldViolations
    .filter((v) => v.field === field || v.field.startsWith(`${field}.`) || v.field.startsWith(`${field}[`))
    .map((v) => {
      const d = v.description.trim();
      const s = d.charAt(0).toUpperCase() + d.slice(1);
      return /[.!?]$/.test(s) ? s : `${s}.`;
    });
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
