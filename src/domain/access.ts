// Who may do what. A key belongs to one company and has one role, optionally limited to some businesses;
// the platform's master key may do everything everywhere.
import { DomainError, permissionDenied } from './errors.js';

export const ROLES = ['ADMIN', 'STAFF', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

export type Principal =
  | { readonly kind: 'master' }
  | {
      readonly kind: 'key';
      readonly companyId: string;
      readonly keyId: string;
      /** The key's name, '' when it has none. */
      readonly name: string;
      readonly role: Role;
      /** Empty means every business of the company. */
      readonly businessIds: readonly string[];
    };

export type Action =
  | 'read'
  | 'upsertCustomer'
  | 'sell'
  | 'redeem' // redeem, hold, commit, release, reverse
  | 'freeze' // freeze, unfreeze
  | 'admin'; // catalog, businesses, staff, keys, extend, adjust, cancel

const ALLOWED: Record<Role, ReadonlySet<Action>> = {
  ADMIN: new Set<Action>(['read', 'upsertCustomer', 'sell', 'redeem', 'freeze', 'admin']),
  // The front desk also records new customers: it is where they walk in.
  STAFF: new Set<Action>(['read', 'upsertCustomer', 'sell', 'redeem', 'freeze']),
  VIEWER: new Set<Action>(['read']),
};

export const actorKeyId = (p: Principal): string => (p.kind === 'master' ? 'master' : p.keyId);

/** Refuses unless the principal may act on this company (and business, when one is named). */
export function authorize(principal: Principal, companyId: string, action: Action, businessId?: string): void {
  if (principal.kind === 'master') return;
  if (principal.companyId !== companyId) {
    throw permissionDenied(`this key may not access company ${companyId}`);
  }
  if (!ALLOWED[principal.role].has(action)) {
    throw permissionDenied(`role ${principal.role} may not do this`);
  }
  if (businessId !== undefined && !mayUseBusiness(principal, businessId)) {
    throw permissionDenied(`this key may not act for business ${businessId}`);
  }
}

export function mayUseBusiness(principal: Principal, businessId: string): boolean {
  return principal.kind === 'master' || principal.businessIds.length === 0 || principal.businessIds.includes(businessId);
}

export function requireMaster(principal: Principal): void {
  if (principal.kind !== 'master') throw new DomainError('PERMISSION_DENIED', 'only the platform master key may do this');
}
