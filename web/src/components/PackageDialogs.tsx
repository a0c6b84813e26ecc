// The package's other actions: freeze and unfreeze (STAFF), extend, adjust and cancel (ADMIN), and giving a
// past visit back. Each sends one idempotency key, reused if the same action is tried again.
import { useId, useState } from 'react';
import type { Money, PackageDetail, RedemptionResult, RefundSpec } from '../api/types';
import { useDesk } from '../context';
import { useQuery } from '@tanstack/react-query';
import { useAction, useDebounced } from '../lib/hooks';
import { formatMoney, parseMoneyInput, compareMoney } from '../lib/money';
import { addDays, formatDate, NEVER, todayIn } from '../lib/time';
import { Dialog } from './Dialog';
import { ErrorNotice } from './ui';
import { unitsLeft } from './PackageParts';

interface PackageDialogProps {
  pkg: PackageDetail;
  onClose: () => void;
  onDone: (pkg: PackageDetail) => void;
}

export function FreezeDialog({ pkg, onClose, onDone }: PackageDialogProps) {
  const { change, changed } = useDesk();
  const today = todayIn(pkg.timeZone);
  const [startDate, setStart] = useState(today);
  const [endDate, setEnd] = useState('');
  const [reason, setReason] = useState('');
  const action = useAction();
  const ids = { start: useId(), end: useId(), reason: useId() };
  const valid = !endDate || !startDate || endDate >= startDate;

  const submit = async () => {
    if (!valid) return;
    const body = { ...(startDate ? { startDate } : {}), ...(endDate ? { endDate } : {}), ...(reason.trim() ? { reason: reason.trim() } : {}) };
    const out = await action.run(`freeze:${pkg.packageInfo.id}:${JSON.stringify(body)}`, (key) => change.freeze(pkg.packageInfo.id, body, key));
    if (!out) return;
    changed.package(out);
    onDone(out);
  };

  return (
    <Dialog
      title={`Freeze ${pkg.packageInfo.packageName}`}
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      actions={
        <button type="submit" className="btn btn-primary" disabled={!valid || action.busy}>
          {action.busy ? 'Freezing…' : 'Freeze'}
        </button>
      }
    >
      <p className="muted">No visit can be redeemed while it is frozen. When it is unfrozen, the expiration moves later by the days it was frozen.</p>
      <div className="row">
        <div className="field">
          <label htmlFor={ids.start}>From</label>
          <input id={ids.start} type="date" value={startDate} onChange={(e) => setStart(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.end}>Until (optional)</label>
          <input id={ids.end} type="date" value={endDate} min={startDate || undefined} onChange={(e) => setEnd(e.target.value)} aria-invalid={!valid} />
        </div>
      </div>
      {!valid && <p className="field-error">The end date must not be before the start date.</p>}
      <div className="field">
        <label htmlFor={ids.reason}>Reason (optional)</label>
        <input id={ids.reason} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} placeholder="e.g. travelling, injury" />
      </div>
      <ErrorNotice error={action.error} />
    </Dialog>
  );
}

export function UnfreezeDialog({ pkg, onClose, onDone }: PackageDialogProps) {
  const { change, changed } = useDesk();
  const action = useAction();
  const submit = async () => {
    const out = await action.run(`unfreeze:${pkg.packageInfo.id}`, (key) => change.unfreeze(pkg.packageInfo.id, key));
    if (!out) return;
    changed.package(out);
    onDone(out);
  };
  return (
    <Dialog
      title={`Unfreeze ${pkg.packageInfo.packageName}`}
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      actions={
        <button type="submit" className="btn btn-primary" disabled={action.busy} autoFocus>
          {action.busy ? 'Unfreezing…' : 'Unfreeze'}
        </button>
      }
    >
      <p>
        Frozen since {formatDate(pkg.freeze?.startDate)}
        {pkg.freeze?.reason ? ` (${pkg.freeze.reason})` : ''}. Unfreezing makes it redeemable again and moves the expiration later by the days it was frozen.
      </p>
      <ErrorNotice error={action.error} />
    </Dialog>
  );
}

export function ExtendDialog({ pkg, onClose, onDone }: PackageDialogProps) {
  const { change, changed } = useDesk();
  const current = pkg.packageInfo.expirationDate;
  const base = current && current !== NEVER ? current : todayIn(pkg.timeZone);
  const [date, setDate] = useState(addDays(base, 30));
  const action = useAction();
  const id = useId();
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(date) && (!current || current === NEVER || date > current);

  const submit = async () => {
    if (!valid) return;
    const out = await action.run(`extend:${pkg.packageInfo.id}:${date}`, (key) => change.extend(pkg.packageInfo.id, date, key));
    if (!out) return;
    changed.package(out);
    onDone(out);
  };
  return (
    <Dialog
      title={`Extend ${pkg.packageInfo.packageName}`}
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      actions={
        <button type="submit" className="btn btn-primary" disabled={!valid || action.busy}>
          {action.busy ? 'Extending…' : 'Extend'}
        </button>
      }
    >
      <p>Now expires {formatDate(current)}.</p>
      <div className="field">
        <label htmlFor={id}>New expiration date</label>
        <input id={id} type="date" value={date} min={current && current !== NEVER ? addDays(current, 1) : undefined} onChange={(e) => setDate(e.target.value)} required />
      </div>
      {!valid && <p className="field-error">Pick a date after the current expiration.</p>}
      <ErrorNotice error={action.error} />
    </Dialog>
  );
}

export function AdjustDialog({ pkg, onClose, onDone }: PackageDialogProps) {
  const { change, changed } = useDesk();
  const items = [
    ...pkg.packageServices.map((i) => ({ id: i.id, name: i.services.map((s) => s.name).join(' or '), left: i.remainingQuantity, total: i.totalQuantity })),
    ...pkg.packageProducts.map((i) => ({ id: i.id, name: i.products.map((p) => p.name).join(' or '), left: i.remainingQuantity, total: i.totalQuantity })),
  ];
  const [itemId, setItemId] = useState(items[0]?.id ?? '');
  const [delta, setDelta] = useState('1');
  const [reason, setReason] = useState('');
  const action = useAction();
  const ids = { item: useId(), delta: useId(), reason: useId() };
  const n = Number(delta);
  const item = items.find((i) => i.id === itemId);
  const valid = !!item && Number.isInteger(n) && n !== 0 && Math.abs(n) <= 10000 && reason.trim() !== '';

  const submit = async () => {
    if (!valid) return;
    const body = { packageServiceId: itemId, delta: n, reason: reason.trim() };
    const out = await action.run(`adjust:${pkg.packageInfo.id}:${JSON.stringify(body)}`, (key) => change.adjust(pkg.packageInfo.id, body, key));
    if (!out) return;
    changed.package(out);
    onDone(out);
  };
  return (
    <Dialog
      title={`Adjust ${pkg.packageInfo.packageName}`}
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      actions={
        <button type="submit" className="btn btn-primary" disabled={!valid || action.busy}>
          {action.busy ? 'Adjusting…' : n > 0 ? `Add ${n}` : n < 0 ? `Remove ${-n}` : 'Adjust'}
        </button>
      }
    >
      <div className="field">
        <label htmlFor={ids.item}>Item</label>
        <select id={ids.item} value={itemId} onChange={(e) => setItemId(e.target.value)}>
          {items.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name} — {i.left} of {i.total} left
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.delta}>Units to add (negative to remove)</label>
        <input id={ids.delta} type="number" inputMode="numeric" step={1} value={delta} onChange={(e) => setDelta(e.target.value)} required />
      </div>
      <div className="field">
        <label htmlFor={ids.reason}>Reason</label>
        <input id={ids.reason} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} required placeholder="e.g. goodwill for a late appointment" />
      </div>
      <ErrorNotice error={action.error} />
    </Dialog>
  );
}

type RefundChoice = 'NONE' | 'FULL' | 'PRORATED' | 'AMOUNT';

export function CancelDialog({ pkg, onClose, onDone }: { pkg: PackageDetail; onClose: () => void; onDone: (pkg: PackageDetail, refund: Money) => void }) {
  const { read, change, changed } = useDesk();
  const [choice, setChoice] = useState<RefundChoice>('PRORATED');
  const [amountText, setAmountText] = useState('');
  const [reason, setReason] = useState('');
  const [step, setStep] = useState<'choose' | 'confirm'>('choose');
  const action = useAction();
  const ids = { amount: useId(), reason: useId() };
  const currency = pkg.paidAmount.currencyCode;
  const zero: Money = { currencyCode: currency, units: 0, nanos: 0 };
  const amount = choice === 'AMOUNT' ? parseMoneyInput(amountText, currency) : null;
  const overPaid = amount !== null && compareMoney(amount, pkg.paidAmount) > 0;
  // What the customer gets back comes from the server's one refund rule (the same :cancel applies), so the
  // screen never promises another amount: PRORATED is nothing once a package has expired, for instance.
  const id = pkg.packageInfo.id;
  const prorated = useQuery(read.refundPreview(id, { refund: 'PRORATED' }));
  const amountAsked = useDebounced(choice === 'AMOUNT' && amount !== null && !overPaid ? amountText.trim() : '', 250);
  const asked = choice === 'AMOUNT' ? (amountAsked === '' ? null : { amount: amountAsked }) : { refund: choice };
  const chosen = useQuery({ ...read.refundPreview(id, asked ?? { amount: '' }), enabled: asked !== null });
  const preview: Money | null = asked === null || chosen.isPending || chosen.isFetching ? null : (chosen.data?.refund ?? null);
  const valid = preview !== null && !overPaid && !chosen.error;

  const submit = async () => {
    if (!valid) return;
    if (step === 'choose') return setStep('confirm');
    const refund: RefundSpec = choice === 'AMOUNT' ? { amount: amount! } : choice;
    const body = { refund, reason: reason.trim() };
    const out = await action.run(`cancel:${pkg.packageInfo.id}:${JSON.stringify(body)}`, (key) => change.cancel(pkg.packageInfo.id, body, key));
    if (!out) return;
    changed.package(out.package);
    onDone(out.package, out.refund);
  };

  const options: { value: RefundChoice; label: string; amount?: Money }[] = [
    { value: 'PRORATED', label: 'Prorated: what is left unused', amount: prorated.data?.refund },
    { value: 'FULL', label: 'Full: everything paid', amount: pkg.paidAmount },
    { value: 'NONE', label: 'No refund', amount: zero },
    { value: 'AMOUNT', label: 'Another amount' },
  ];

  return (
    <Dialog
      title={step === 'choose' ? `Cancel ${pkg.packageInfo.packageName}` : 'Confirm the cancellation'}
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      actions={
        <>
          {step === 'confirm' && (
            <button type="button" className="btn" onClick={() => setStep('choose')} disabled={action.busy}>
              Back
            </button>
          )}
          <button type="submit" className={step === 'confirm' ? 'btn btn-danger' : 'btn btn-primary'} disabled={!valid || action.busy}>
            {step === 'choose' ? 'Review' : action.busy ? 'Cancelling…' : `Cancel package and refund ${formatMoney(preview)}`}
          </button>
        </>
      }
    >
      {step === 'choose' ? (
        <>
          <p className="muted">
            Paid {formatMoney(pkg.paidAmount)}; unused value {formatMoney(pkg.remainingValue)}. Cancelling cannot be undone.
          </p>
          <fieldset className="radio-list">
            <legend>Refund</legend>
            {options.map((o) => (
              <label key={o.value} className="radio">
                <input type="radio" name="refund" value={o.value} checked={choice === o.value} onChange={() => setChoice(o.value)} />
                <span>{o.label}</span>
                {o.amount && <span className="radio-amount">{formatMoney(o.amount)}</span>}
              </label>
            ))}
          </fieldset>
          {choice === 'AMOUNT' && (
            <div className="field">
              <label htmlFor={ids.amount}>Refund amount ({currency})</label>
              <input
                id={ids.amount}
                inputMode="decimal"
                value={amountText}
                onChange={(e) => setAmountText(e.target.value)}
                aria-invalid={amountText !== '' && (amount === null || overPaid)}
                autoFocus
              />
              {amountText !== '' && amount === null && <p className="field-error">Enter an amount such as 25 or 25.50.</p>}
              {overPaid && <p className="field-error">A refund cannot be more than was paid ({formatMoney(pkg.paidAmount)}).</p>}
            </div>
          )}
          <div className="field">
            <label htmlFor={ids.reason}>Reason (optional)</label>
            <input id={ids.reason} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />
          </div>
          <p className="refund-preview" aria-live="polite">
            Refund to the customer: <strong>{preview === null ? '…' : formatMoney(preview)}</strong>
          </p>
          <ErrorNotice error={chosen.error} />
        </>
      ) : (
        <p className="confirm-lead">
          Cancel <strong>{pkg.packageInfo.packageName}</strong> and refund <strong className="money-big">{formatMoney(preview)}</strong>? Its{' '}
          {unitsLeft(pkg)} remaining {unitsLeft(pkg) === 1 ? 'unit' : 'units'} can no longer be redeemed.
        </p>
      )}
      <ErrorNotice error={action.error} />
    </Dialog>
  );
}

/** Gives a past visit back (a cancelled appointment): the units return to the package. */
export function ReverseDialog({
  redemptionId,
  description,
  onClose,
  onDone,
}: {
  redemptionId: string;
  description: string;
  onClose: () => void;
  onDone: (r: RedemptionResult) => void;
}) {
  const { change, changed } = useDesk();
  const [reason, setReason] = useState('');
  const action = useAction();
  const id = useId();
  const submit = async () => {
    const out = await action.run(`reverse:${redemptionId}:${reason.trim()}`, (key) => change.reverse(redemptionId, reason.trim(), key));
    if (!out) return;
    changed.package(out.package);
    onDone(out);
  };
  return (
    <Dialog
      title="Give a visit back"
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      actions={
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {action.busy ? 'Giving back…' : 'Give back'}
        </button>
      }
    >
      <p>{description}</p>
      <div className="field">
        <label htmlFor={id}>Reason (optional)</label>
        <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} placeholder="e.g. appointment cancelled" />
      </div>
      <ErrorNotice error={action.error} />
    </Dialog>
  );
}
