// Every error the API answers, as a sentence a receptionist would say: names instead of ids, local dates
// instead of ISO instants, no jargon. One place, used by every ErrorNotice.
import type { ApiError } from '../api/client';
import type { PackageDetail } from '../api/types';
import { formatDate, formatInstant } from './time';

/** Names the screen knows, by id (packages, services, products, items, businesses, customers, templates). */
export interface Names {
  name(id: string): string | undefined;
  /** The business's time zone, for instants. */
  timeZone?: string;
}

// Names learnt from what the screens have loaded: an error often names an id the screen showed by name.
const known = new Map<string, string>();

export function learnName(id: string, name: string): void {
  if (id && name) known.set(id, name);
}

/** Learns the names in a package: itself, its items and their services and products. */
export function learnPackage(pkg: PackageDetail): void {
  learnName(pkg.packageInfo.id, pkg.packageInfo.packageName);
  for (const item of pkg.packageServices) {
    learnName(item.id, item.services.map((s) => s.name || s.serviceId).join(' or '));
    for (const s of item.services) learnName(s.serviceId, s.name);
  }
  for (const item of pkg.packageProducts) {
    learnName(item.id, item.products.map((p) => p.name || p.productId).join(' or '));
    for (const p of item.products) learnName(p.productId, p.name);
  }
}

export const knownNames: Names = { name: (id) => known.get(id) };

/** Names from several sources, the first that knows an id winning. */
export function namesFrom(...sources: ((id: string) => string | undefined)[]): Names['name'] {
  return (id) => {
    for (const s of sources) {
      const n = s(id);
      if (n && n !== id) return n;
    }
    return undefined;
  };
}

const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})\b/g;
const ISO_DATE = /\b\d{4}-\d{2}-\d{2}\b/g;

/** An API message made readable: known ids as names, instants and dates in local words. */
function humanize(message: string, names: Names): string {
  return message
    .replace(ISO_INSTANT, (m) => formatInstant(m, names.timeZone))
    .replace(ISO_DATE, (m) => formatDate(m))
    .replace(/\b[a-z]{2,5}_[A-Za-z0-9_-]+\b/g, (id) => {
      const n = names.name(id);
      return n ? `“${n}”` : id;
    })
    .replace(/\bminor units\b/g, 'cents');
}

const firstDate = (message: string): string | undefined => message.match(ISO_DATE)?.[0];

/** The sentence to show for an error. */
export function errorSentence(error: Pick<ApiError, 'status' | 'code' | 'message' | 'reason' | 'metadata'>, names: Names = knownNames): string {
  const meta = error.metadata ?? {};
  const n = (id: string | undefined, fallback: string) => (id ? (names.name(id) ?? fallback) : fallback);
  const pkgName = n(meta.packageId, 'This package');
  const thePkg = meta.packageId && names.name(meta.packageId) ? `“${names.name(meta.packageId)}”` : pkgName === 'This package' ? 'This package' : pkgName;
  const inPkg = meta.packageId && names.name(meta.packageId) ? `“${names.name(meta.packageId)}”` : 'this package';
  const service = n(meta.serviceId, 'this service');
  switch (error.reason) {
    case 'PACKAGE_NOT_STARTED': {
      const d = error.message.match(ISO_INSTANT)?.[0];
      return `${thePkg} has not started yet${d ? `: it starts ${formatInstant(d, names.timeZone)}` : ''}.`;
    }
    case 'PACKAGE_FROZEN': {
      const d = firstDate(error.message);
      return /already frozen/.test(error.message)
        ? `${thePkg} is already frozen${d ? ` since ${formatDate(d)}` : ''}.`
        : `${thePkg} is frozen${d ? ` until ${formatDate(d)}` : ''}. Unfreeze it to redeem.`;
    }
    case 'PACKAGE_EXPIRED': {
      const d = firstDate(error.message);
      return `${thePkg} expired${d ? ` on ${formatDate(d)}` : ''}.`;
    }
    case 'PACKAGE_CANCELLED':
      return `${thePkg} was cancelled.`;
    case 'PACKAGE_FULLY_REDEEMED':
      return `Everything in ${inPkg} has been used.`;
    case 'INSUFFICIENT_BALANCE': {
      if (meta.remaining !== undefined) {
        const left = Number(meta.remaining);
        return left === 0 ? `No ${service} left in ${inPkg}.` : `Only ${left} ${service} left in ${inPkg}: choose ${left} or fewer.`;
      }
      const item = n(meta.packageServiceId, 'that item');
      const left = error.message.match(/has (\d+) left/)?.[1];
      return `${item === 'that item' ? 'That item' : `“${item}”`} has ${left ?? 'fewer'} left: you cannot remove more than that.`;
    }
    case 'SERVICE_NOT_IN_PACKAGE':
      return `${thePkg} does not include ${service}.`;
    case 'WRONG_BUSINESS':
      return `${thePkg} can only be redeemed at ${n(meta.businessId, 'the business that sold it')}, where it was sold.`;
    case 'ALREADY_REVERSED':
      return 'This visit was already given back.';
    case 'HOLD_NOT_PENDING':
      return meta.status === 'EXPIRED'
        ? 'This hold lapsed: its units already went back to the package.'
        : `This hold was already ${meta.status === 'COMMITTED' ? 'used' : meta.status === 'RELEASED' ? 'released' : 'dealt with'}.`;
    case 'HOLD_PENDING':
      return 'This is a hold for a booking, not a visit: release it instead of giving it back.';
    case 'PACKAGE_NOT_FROZEN':
      return `${thePkg} is not frozen.`;
    case 'TEMPLATE_ARCHIVED':
      return `${n(meta.templateId, 'This package')} is no longer on sale (it was archived).`;
    case 'NO_REDEEMABLE_PACKAGE':
      return `${n(meta.customerId, 'The customer')} has no package that can be used for ${service} here today.`;
    case 'CURRENCY_MISMATCH':
      return `${n(meta.templateId, 'This package')} is priced in ${meta.templateCurrency ?? 'another currency'}, but this business sells in ${meta.businessCurrency ?? 'its own currency'}. Enter a price in ${meta.businessCurrency ?? 'the business’s currency'}.`;
    case 'RATE_LIMITED':
      return 'Too many requests in a short time. Wait a moment and try again.';
    case 'IDEMPOTENCY_KEY_IN_USE':
      return 'The same request is still being handled. Wait a moment and try again.';
    case 'IDEMPOTENCY_KEY_REUSED':
      return 'This was already sent with other details. Close the dialog and start again.';
    case 'PAYLOAD_TOO_LARGE':
      return 'This is more than the server takes in one request (1 MB; an import up to 50 MB). Send less at a time.';
  }
  switch (error.code) {
    case 'NETWORK':
    case 'TIMEOUT':
    case 'CLIENT':
      return error.message;
    case 'UNAVAILABLE':
      return 'The server cannot reach its storage right now. Try again in a moment.';
    case 'INTERNAL':
      return 'The server had a problem. Try again in a moment; if it keeps happening, tell the administrator.';
    case 'UNAUTHENTICATED':
      return 'Your key is not accepted. Sign in again.';
    case 'PERMISSION_DENIED':
      // The server says what the key may not do ("exports are for ADMIN keys"), in plain words already.
      return error.message ? humanize(error.message, names) : 'This key is not allowed to do that. Ask an administrator.';
    case 'NOT_FOUND': {
      const m = /^(.+?) (\S+) not found$/.exec(error.message);
      if (m) {
        const name = names.name(m[2]!);
        return `${name ? `“${name}”` : `This ${m[1]}`} was not found: it may have been removed.`;
      }
      return humanize(error.message, names);
    }
    case 'ALREADY_EXISTS': {
      const m = /^(.+?) (\S+) already exists$/.exec(error.message);
      return m ? `This ${m[1]} already exists.` : humanize(error.message, names);
    }
  }
  return humanize(error.message, names);
}
