// Redeem (or hold) units: from one package, or auto-applied to the customer's package that expires first.
// After it, a notice offers a one-click undo (reverse, or release for a hold).
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { PackageDetail, RedemptionResult } from '../api/types';
import { useDesk } from '../context';
import { useAction } from '../lib/hooks';
import { formatInstant } from '../lib/time';
import { learnName } from '../lib/messages';
import { Dialog } from './Dialog';
import { ErrorNotice, Loading } from './ui';
import { redeemableHere } from './PackageParts';
import { StaffPicker, useStaffChoice } from './StaffPicker';

interface Choice {
  /** A service id, or a product id: the API redeems either as `serviceId`. */
  serviceId: string;
  name: string;
  kind: 'Services' | 'Products';
  left?: number;
  /** Other services drawing on the same units (an "any one of these" item). */
  shared?: string[];
}

/** What a package can redeem, with how many are left of each. */
function choicesOf(pkg: PackageDetail): Choice[] {
  const out: Choice[] = [];
  for (const item of pkg.packageServices) {
    for (const s of item.services) out.push({ serviceId: s.serviceId, name: s.name || s.serviceId, kind: 'Services', left: item.remainingQuantity });
  }
  for (const item of pkg.packageProducts) {
    for (const p of item.products) out.push({ serviceId: p.productId, name: p.name || p.productId, kind: 'Products', left: item.remainingQuantity });
  }
  return out;
}

/**
 * What the customer's packages can redeem here, each service or product once with what is left of it over
 * every package; an item of several interchangeable services is one pool, said so ("shared with …").
 */
export function choicesOfPackages(packages: PackageDetail[]): Choice[] {
  type Acc = Omit<Choice, 'shared'> & { left: number; pools: Set<string>; others: Set<string> };
  const byId = new Map<string, Acc>();
  const add = (id: string, name: string, kind: Choice['kind'], poolId: string, left: number, others: string[]) => {
    const c: Acc = byId.get(id) ?? { serviceId: id, name, kind, left: 0, pools: new Set<string>(), others: new Set<string>() };
    if (!c.pools.has(poolId)) {
      c.pools.add(poolId);
      c.left += left;
    }
    for (const o of others) c.others.add(o);
    byId.set(id, c);
  };
  for (const p of packages) {
    for (const item of p.packageServices) {
      const names = item.services.map((s) => s.name || s.serviceId);
      for (const s of item.services) add(s.serviceId, s.name || s.serviceId, 'Services', item.id, item.remainingQuantity, names.filter((n) => n !== (s.name || s.serviceId)));
    }
    for (const item of p.packageProducts) {
      const names = item.products.map((x) => x.name || x.productId);
      for (const x of item.products) add(x.productId, x.name || x.productId, 'Products', item.id, item.remainingQuantity, names.filter((n) => n !== (x.name || x.productId)));
    }
  }
  return [...byId.values()]
    .map(({ pools: _pools, others, ...c }): Choice => ({ ...c, shared: [...others] }))
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'Services' ? -1 : 1));
}

/** The name of what a redemption took, from the package's items (services or products). */
export function itemName(pkg: PackageDetail, r: { serviceId: string; packageServiceId: string }): string {
  const service = pkg.packageServices.find((s) => s.id === r.packageServiceId);
  if (service) return service.services.find((s) => s.serviceId === r.serviceId)?.name ?? service.services[0]?.name ?? r.serviceId;
  const product = pkg.packageProducts.find((p) => p.id === r.packageServiceId);
  if (product) return product.products.find((p) => p.productId === r.serviceId)?.name ?? product.products[0]?.name ?? r.serviceId;
  return r.serviceId;
}

function remainingOf(pkg: PackageDetail, itemId: string): number | undefined {
  return (pkg.packageServices.find((s) => s.id === itemId) ?? pkg.packageProducts.find((p) => p.id === itemId))?.remainingQuantity;
}

export function RedeemDialog({
  customerId,
  pkg,
  packages,
  onClose,
  onDone,
}: {
  customerId: string;
  /** Redeem from this package; without it, auto-apply across the customer's packages. */
  pkg?: PackageDetail;
  /** The customer's packages, for the choices of an auto-applied redemption: only what they can use here. */
  packages?: PackageDetail[];
  onClose: () => void;
  onDone: (result: RedemptionResult) => void;
}) {
  const { read, change, changed, business } = useDesk();
  // Without a package or the customer's packages to choose from, every service and product offered here.
  const everything = !pkg && !packages;
  const services = useQuery({ ...read.services(), enabled: everything });
  const products = useQuery({ ...read.products(), enabled: everything });
  const choices: Choice[] = useMemo(() => {
    if (pkg) return choicesOf(pkg);
    if (packages) return choicesOfPackages(packages.filter((p) => redeemableHere(p, business.id)));
    const here = (x: { businessIds: string[] }) => x.businessIds.length === 0 || x.businessIds.includes(business.id);
    const byName = (a: Choice, b: Choice) => a.name.localeCompare(b.name);
    return [
      ...(services.data ?? []).filter(here).map((s): Choice => ({ serviceId: s.id, name: s.name, kind: 'Services' })).sort(byName),
      ...(products.data ?? []).filter(here).map((p): Choice => ({ serviceId: p.id, name: p.name, kind: 'Products' })).sort(byName),
    ];
  }, [pkg, packages, services.data, products.data, business.id]);
  for (const c of choices) learnName(c.serviceId, c.name);
  const groups = (['Services', 'Products'] as const).map((kind) => ({ kind, choices: choices.filter((c) => c.kind === kind) })).filter((g) => g.choices.length > 0);

  const [serviceId, setServiceId] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [hold, setHold] = useState(false);
  const [appointmentId, setAppointmentId] = useState('');
  const action = useAction();
  const staff = useStaffChoice();
  const ids = { service: useId(), qty: useId(), hold: useId(), appt: useId() };

  const selected = serviceId || (choices.find((c) => c.left === undefined || c.left > 0) ?? choices[0])?.serviceId || '';
  const qty = Number(quantity);
  const valid = selected !== '' && Number.isInteger(qty) && qty >= 1 && qty <= 10000;

  const submit = async () => {
    if (!valid) return;
    const body = { serviceId: selected, quantity: qty, businessId: business.id, hold, ...(staff.staffId ? { staffId: staff.staffId } : {}), ...(appointmentId.trim() ? { appointmentId: appointmentId.trim() } : {}) };
    const signature = `redeem:${pkg?.packageInfo.id ?? `customer:${customerId}`}:${JSON.stringify(body)}`;
    const result = await action.run(signature, (key) =>
      pkg ? change.redeem(pkg.packageInfo.id, body, key) : change.redeemForCustomer(customerId, body, key),
    );
    if (!result) return;
    changed.package(result.package);
    onDone(result);
  };

  const verb = hold ? 'Hold' : 'Redeem';
  const unit = choices.find((c) => c.serviceId === selected)?.kind === 'Products' ? 'item' : 'visit';
  return (
    <Dialog
      title={pkg ? `Redeem from ${pkg.packageInfo.packageName}` : 'Redeem a service'}
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      actions={
        <button type="submit" className="btn btn-primary" disabled={!valid || action.busy}>
          {action.busy ? `${verb === 'Hold' ? 'Holding' : 'Redeeming'}…` : `${verb} ${qty > 0 ? qty : ''} ${unit}${qty === 1 ? '' : 's'}`}
        </button>
      }
    >
      {!pkg && <p className="muted">Uses the customer’s package that expires first and can be redeemed here ({business.name}).</p>}
      {everything && (services.isPending || products.isPending) ? (
        <Loading label="Loading services…" />
      ) : everything && (services.isError || products.isError) ? (
        <ErrorNotice
          error={services.error ?? products.error}
          onRetry={() => {
            void services.refetch();
            void products.refetch();
          }}
        />
      ) : choices.length === 0 ? (
        <p className="empty">{packages ? `Nothing in the customer’s packages can be redeemed at ${business.name} now.` : 'No services to redeem.'}</p>
      ) : (
        <div className="field">
          <label htmlFor={ids.service}>{groups.length > 1 ? 'Service or product' : groups[0]?.kind === 'Products' ? 'Product' : 'Service'}</label>
          <select id={ids.service} value={selected} onChange={(e) => setServiceId(e.target.value)}>
            {groups.map((g) => {
              const options = g.choices.map((c) => (
                <option key={c.serviceId} value={c.serviceId}>
                  {c.name}
                  {c.left !== undefined ? ` — ${c.left} left` : ''}
                  {c.shared && c.shared.length > 0 ? ` (shared with ${c.shared.join(', ')})` : ''}
                </option>
              ));
              return groups.length > 1 ? (
                <optgroup key={g.kind} label={g.kind}>
                  {options}
                </optgroup>
              ) : (
                options
              );
            })}
          </select>
        </div>
      )}
      <div className="row">
        <div className="field">
          <label htmlFor={ids.qty}>Quantity</label>
          <input id={ids.qty} type="number" inputMode="numeric" min={1} max={10000} step={1} value={quantity} onChange={(e) => setQuantity(e.target.value)} required />
        </div>
        <div className="field grow">
          <label htmlFor={ids.appt}>Appointment (optional)</label>
          <input id={ids.appt} value={appointmentId} onChange={(e) => setAppointmentId(e.target.value)} maxLength={64} />
        </div>
      </div>
      <StaffPicker choice={staff} />
      <div className="check">
        <input id={ids.hold} type="checkbox" checked={hold} onChange={(e) => setHold(e.target.checked)} />
        <label htmlFor={ids.hold}>Hold for a booking: reserve now, use or release later (a hold lapses after 24 hours)</label>
      </div>
      <ErrorNotice error={action.error} />
    </Dialog>
  );
}

/** What was just redeemed or held, with one click to take it back. */
export function RedemptionNotice({ result, onChanged, onDismiss }: { result: RedemptionResult; onChanged?: (r: RedemptionResult) => void; onDismiss: () => void }) {
  const { change, changed } = useDesk();
  const action = useAction();
  const [undone, setUndone] = useState<RedemptionResult | null>(null);
  const r = result.redemption;
  const name = itemName(result.package, r);
  const left = remainingOf(result.package, r.packageServiceId);
  const held = r.status === 'PENDING';
  const what = `${r.quantity} × ${name}`;
  // Undo is the next thing a receptionist may need: focus lands on it, and on the notice once it is done.
  const undoRef = useRef<HTMLButtonElement>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    undoRef.current?.focus();
  }, []);
  useEffect(() => {
    if (undone) noticeRef.current?.focus();
  }, [undone]);

  const undo = async () => {
    const out = await action.run(`undo:${r.id}`, (key) => (held ? change.releaseHold(r.id, key) : change.reverse(r.id, 'Undone at the front desk', key)));
    if (out) {
      changed.package(out.package);
      setUndone(out);
      onChanged?.(out);
    }
  };

  return (
    <div className={`notice ${undone ? 'notice-info' : 'notice-success'}`} role="status" aria-live="polite" ref={noticeRef} tabIndex={-1}>
      <div>
        {undone ? (
          <>
            Undone: {what} given back to <strong>{result.package.packageInfo.packageName}</strong>.
          </>
        ) : held ? (
          <>
            Held {what} from <strong>{result.package.packageInfo.packageName}</strong> until {formatInstant(r.holdExpireTime, result.package.timeZone)}.
          </>
        ) : (
          <>
            Redeemed {what} from <strong>{result.package.packageInfo.packageName}</strong>. {left !== undefined ? `${left} left.` : ''}
          </>
        )}
        <ErrorNotice error={action.error} />
      </div>
      <div className="notice-actions">
        {!undone && (
          <button type="button" className="btn btn-small" onClick={undo} disabled={action.busy} ref={undoRef}>
            {action.busy ? 'Undoing…' : held ? 'Release hold' : 'Undo'}
          </button>
        )}
        <button type="button" className="btn btn-small btn-ghost" onClick={onDismiss} aria-label="Dismiss">
          ✕
        </button>
      </div>
    </div>
  );
}
