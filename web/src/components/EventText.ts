// A package event in words, the same on the package's history and on its printable statement.
import type { EventType, PackageDetail, PackageEvent } from '../api/types';
import { knownNames } from '../lib/messages';
import { formatMoney } from '../lib/money';
import { formatDate } from '../lib/time';

// Every type the API names has its words: a new one fails to compile here until it is given some.
const EVENT_LABEL: Record<EventType, string> = {
  IMPORTED: 'Imported',
  SOLD: 'Sold',
  REDEEMED: 'Redeemed',
  HELD: 'Held for a booking',
  COMMITTED: 'Hold used',
  RELEASED: 'Hold released',
  HOLD_EXPIRED: 'Hold lapsed',
  REVERSED: 'Given back',
  FROZEN: 'Frozen',
  UNFROZEN: 'Unfrozen',
  EXTENDED: 'Extended',
  ADJUSTED: 'Adjusted',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Expired',
};

/** What the event was about, in words: "1 × Bath · appointment A1", "refund $50.00", a reason in quotes. */
export function detailText(pkg: PackageDetail, e: PackageEvent): string {
  const d = (e.details ?? {}) as Record<string, unknown>;
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  const item = pkg.packageServices.find((s) => s.id === e.packageServiceId) ?? pkg.packageProducts.find((p) => p.id === e.packageServiceId);
  const name = item ? ('services' in item ? item.services.map((s) => s.name).join(' or ') : item.products.map((p) => p.name).join(' or ')) : '';
  const parts: string[] = [];
  switch (e.type) {
    case 'SOLD':
      parts.push(`for ${formatMoney(e.valueChange)}`);
      break;
    case 'REDEEMED':
    case 'HELD':
    case 'COMMITTED':
    case 'RELEASED':
    case 'HOLD_EXPIRED':
    case 'REVERSED':
      if (e.quantity) parts.push(`${e.quantity} × ${name || 'item'}`);
      if (str('appointmentId')) parts.push(`appointment ${str('appointmentId')}`);
      break;
    case 'ADJUSTED':
      parts.push(`${e.quantity > 0 ? '+' : ''}${e.quantity} × ${name || 'item'}`);
      break;
    case 'FROZEN':
      parts.push(`from ${formatDate(str('startDate'))}${str('endDate') ? ` until ${formatDate(str('endDate'))}` : ''}`);
      break;
    case 'UNFROZEN':
      if (typeof d.daysMoved === 'number' && d.daysMoved > 0) parts.push(`expiration moved ${d.daysMoved} days later`);
      break;
    case 'EXTENDED':
      if (str('to')) parts.push(`${str('from') ? `from ${formatDate(str('from'))} ` : ''}to ${formatDate(str('to'))}`);
      break;
    case 'CANCELLED':
      parts.push(`refund ${formatMoney(e.refund)}`);
      break;
  }
  if (str('reason')) parts.push(`“${str('reason')}”`);
  return parts.join(' · ');
}

/** Who did it, for people: the staff member's name (the API's actorName), never a key or staff id. */
export function actorText(e: PackageEvent): string {
  if (e.actor === 'system') return 'the system';
  if (e.staffId && (!e.actorName || e.actorName === e.staffId)) return knownNames.name(e.staffId) ?? 'a staff member';
  if (!e.actorName || e.actorName === e.actor) return e.actor === 'master' ? 'the master key' : 'an API key';
  return e.actorName;
}

/** The event's type as people say it ("Hold used"), or the API's word for a type this app does not know yet. */
export const eventLabel = (type: string): string => EVENT_LABEL[type as EventType] ?? type;
