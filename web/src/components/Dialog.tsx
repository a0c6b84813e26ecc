// A modal dialog on the native <dialog>: focus moves in and is trapped, Escape closes it (unless a request is
// on its way), and focus returns to what opened it.
import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';

const FIELD = '[autofocus], input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])';

export interface DialogProps {
  title: string;
  onClose: () => void;
  /** While true, Escape and Cancel do nothing: the request is on its way. */
  busy?: boolean;
  /** The dialog is a form: Enter in a field submits it. */
  onSubmit?: () => void;
  children: ReactNode;
  actions?: ReactNode;
  wide?: boolean;
}

export function Dialog({ title, onClose, busy = false, onSubmit, children, actions, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const busyRef = useRef(busy);
  busyRef.current = busy;

  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    if (dialog && !dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
    // showModal focuses the first focusable element; prefer the first field when there is one. While the
    // content loads there is none: focus the dialog itself, never Cancel (Enter would close it).
    const first = dialog?.querySelector<HTMLElement>(FIELD);
    if (first) first.focus();
    else dialog?.focus();
    return () => {
      if (dialog?.open && typeof dialog.close === 'function') dialog.close();
      if (opener && document.contains(opener)) opener.focus();
    };
  }, []);

  // When the content arrives after a load, focus moves from the dialog itself to its first field.
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && document.activeElement === dialog) dialog.querySelector<HTMLElement>(FIELD)?.focus();
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!busyRef.current) onSubmit?.();
  };

  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      tabIndex={-1}
      onCancel={(event) => {
        event.preventDefault();
        if (!busyRef.current) onClose();
      }}
    >
      <form onSubmit={submit} noValidate={false}>
        <header className="dialog-header">
          <h2 id={titleId}>{title}</h2>
        </header>
        <div className="dialog-body">{children}</div>
        <footer className="dialog-actions">
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          {actions}
        </footer>
      </form>
    </dialog>
  );
}
