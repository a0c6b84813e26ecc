// How a package reads at the counter: its items as bars, when it expires, and why it cannot be used now.
import type { PackageDetail } from '../api/types';
import { useDesk } from '../context';
import { learnPackage } from '../lib/messages';
import { daysBetween, formatDate, formatInstant, NEVER, relativeDays, todayIn, validityText } from '../lib/time';
import { ItemBar } from './ui';

/** Units left in a package: its services and its products (totalRemainingQuantity counts services only). */
export function unitsLeft(pkg: PackageDetail): number {
  return [...pkg.packageServices, ...pkg.packageProducts].reduce((n, i) => n + i.remainingQuantity, 0);
}

/**
 * Why the package cannot be redeemed at this business now, or '' when it can. The API's `redeemable` does not
 * know which counter asks: a package restricted to its selling business is not redeemable elsewhere.
 */
export function notRedeemableHere(pkg: PackageDetail, businessId: string): string {
  if (!pkg.redeemable) return pkg.notRedeemableReason || 'UNKNOWN';
  if (pkg.restrictRedemptionToSellingBusiness && pkg.packageInfo.businessId !== businessId) return 'WRONG_BUSINESS';
  return '';
}

export const redeemableHere = (pkg: PackageDetail, businessId: string) => notRedeemableHere(pkg, businessId) === '';

export function PackageItems({ pkg }: { pkg: PackageDetail }) {
  learnPackage(pkg);
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
    if (pkg.activation === 'ON_FIRST_REDEMPTION' && (pkg.lifecycle === 'NOT_STARTED' || !pkg.packageInfo.startTime)) return <span>{firstUseText(pkg)}</span>;
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

/** "Valid 90 days from the first visit" for a first-use package not started yet. */
export function firstUseText(pkg: PackageDetail): string {
  const v = pkg.validity;
  if (v && 'never' in v && v.never) return 'Not started · never expires once used';
  return `Not started · valid ${validityText(v)} from the first visit`;
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
  const { business, businessName } = useDesk();
  const reason = notRedeemableHere(pkg, business.id);
  if (!reason) return null;
  const why =
    reason === 'WRONG_BUSINESS'
      ? `It can only be redeemed at ${businessName(pkg.packageInfo.businessId)}, where it was sold, not at ${business.name}.`
      : reason === 'PACKAGE_FROZEN' && pkg.freeze
        ? `It is frozen${pkg.freeze.endDate ? ` until ${formatDate(pkg.freeze.endDate)}` : ' until it is unfrozen'}.`
        : reason === 'PACKAGE_EXPIRED' && pkg.packageInfo.expirationDate !== NEVER
          ? `It expired on ${formatDate(pkg.packageInfo.expirationDate)}${pkg.graceEndTime && pkg.gracePeriodDays > 0 ? ` (grace ended ${formatInstant(pkg.graceEndTime, pkg.timeZone)})` : ''}.`
          : REASON_TEXT[reason];
  return (
    <p className={`reason reason-${pkg.lifecycle.toLowerCase()}`}>
      <strong>{reason === 'WRONG_BUSINESS' ? 'Can’t redeem here.' : 'Can’t redeem now.'}</strong> {why ?? 'It cannot be redeemed right now.'}
    </p>
  );
}

/** Days before its expiration date a package is "expiring soon": the webhooks' default window too. */
export const EXPIRING_SOON_DAYS = 14;

/**
 * What the receptionist should notice on a card: only one visit left ("1 left"), or an expiration close
 * enough to mention to the customer. Open packages only: a closed one has nothing left to warn about.
 */
export function packageAlerts(pkg: PackageDetail): { key: string; text: string; title: string }[] {
  if (!isOpen(pkg)) return [];
  const out: { key: string; text: string; title: string }[] = [];
  const left = unitsLeft(pkg);
  if (left === 1) out.push({ key: 'low', text: '1 left', title: 'Only one visit or item is left: a good moment to offer a new package.' });
  const date = pkg.packageInfo.expirationDate;
  if (date && date !== NEVER && left > 0) {
    const days = daysBetween(todayIn(pkg.timeZone), date);
    if (days >= 0 && days <= EXPIRING_SOON_DAYS)
      out.push({ key: 'expiring', text: days === 0 ? 'Expires today' : `Expires ${relativeDays(days)}`, title: `${left} left, usable until ${formatDate(date)}.` });
  }
  return out;
}

export function PackageAlerts({ pkg }: { pkg: PackageDetail }) {
  const alerts = packageAlerts(pkg);
  if (alerts.length === 0) return null;
  return (
    <>
      {alerts.map((a) => (
        <span key={a.key} className={`badge badge-alert badge-${a.key}`} title={a.title}>
          {a.text}
        </span>
      ))}
    </>
  );
}

export const isOpen = (pkg: PackageDetail) => pkg.lifecycle === 'ACTIVE' || pkg.lifecycle === 'NOT_STARTED' || pkg.lifecycle === 'FROZEN';
