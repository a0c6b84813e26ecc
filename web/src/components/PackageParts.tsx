// How a package reads at the counter: its items as bars, when it expires, and why it cannot be used now.
import type { PackageDetail } from '../api/types';
import { daysBetween, formatDate, NEVER, relativeDays, todayIn } from '../lib/time';
import { ItemBar } from './ui';

export function PackageItems({ pkg }: { pkg: PackageDetail }) {
  const rows = [
    ...pkg.packageServices.map((s) => ({
      id: s.id,
      name: s.services.map((c) => c.name || c.serviceId).join(' or '),
      used: s.usedQuantity,
      held: s.heldQuantity,
      left: s.remainingQuantity,
      total: s.totalQuantity,
    })),
    ...pkg.packageProducts.map((p) => ({
      id: p.id,
      name: p.products.map((c) => c.name || c.productId).join(' or '),
      used: p.usedQuantity,
      held: p.heldQuantity,
      left: p.remainingQuantity,
      total: p.totalQuantity,
    })),
  ];
  if (rows.length === 0) return <p className="muted">No items.</p>;
  return (
    <div className="items">
      {rows.map((r) => (
        <ItemBar key={r.id} name={r.name} used={r.used} held={r.held} left={r.left} total={r.total} />
      ))}
    </div>
  );
}

/** "Expires Nov 25, 2027 (in 365 days)", in the business's own calendar. */
export function Expiry({ pkg }: { pkg: PackageDetail }) {
  const date = pkg.packageInfo.expirationDate;
  if (!date || date === NEVER) {
    if (pkg.lifecycle === 'NOT_STARTED' && pkg.activation === 'ON_FIRST_REDEMPTION') return <span>Validity starts at the first visit</span>;
    return <span>Never expires</span>;
  }
  const days = daysBetween(todayIn(pkg.timeZone), date);
  const past = days < 0;
  const soon = !past && days <= 30 && pkg.lifecycle !== 'CANCELLED' && pkg.lifecycle !== 'FULLY_REDEEMED';
  return (
    <span className={soon ? 'expiry expiry-soon' : 'expiry'}>
      {pkg.lifecycle === 'CANCELLED' ? 'Was valid until' : past ? 'Expired' : 'Expires'} <time dateTime={date}>{formatDate(date)}</time>
      {pkg.lifecycle !== 'CANCELLED' && <span className="muted"> ({relativeDays(days)})</span>}
      {pkg.gracePeriodDays > 0 && <span className="muted"> + {pkg.gracePeriodDays} grace days</span>}
    </span>
  );
}

const REASON_TEXT: Record<string, string> = {
  PACKAGE_NOT_STARTED: 'It has not started yet.',
  PACKAGE_FROZEN: 'It is frozen.',
  PACKAGE_EXPIRED: 'It has expired.',
  PACKAGE_CANCELLED: 'It was cancelled.',
  PACKAGE_FULLY_REDEEMED: 'Everything in it has been used.',
  WRONG_BUSINESS: 'It can only be redeemed where it was sold.',
};

/** Why this package cannot be redeemed right now, in words, with the API's own message. */
export function NotRedeemable({ pkg }: { pkg: PackageDetail }) {
  if (pkg.redeemable) return null;
  const why = REASON_TEXT[pkg.notRedeemableReason];
  return (
    <p className={`reason reason-${pkg.lifecycle.toLowerCase()}`}>
      <strong>Can’t redeem now.</strong> {why ?? pkg.notRedeemableMessage}
      {/* The API's message adds what our words lack, such as the date a freeze ends. */}
      {why && /\d{4}-\d{2}-\d{2}/.test(pkg.notRedeemableMessage) && <span className="muted"> ({pkg.notRedeemableMessage})</span>}
    </p>
  );
}

export const isOpen = (pkg: PackageDetail) => pkg.lifecycle === 'ACTIVE' || pkg.lifecycle === 'NOT_STARTED' || pkg.lifecycle === 'FROZEN';
