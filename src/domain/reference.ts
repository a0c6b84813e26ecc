// Reference data: the tenants' own records that packages point at. Ids are chosen by the client.
import type { Money } from './money.js';

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const isValidId = (id: string): boolean => ID_PATTERN.test(id);

export interface Company {
  readonly id: string;
  readonly name: string;
  readonly createTime: number;
  readonly updateTime: number;
}

export interface Business {
  readonly companyId: string;
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly currencyCode: string;
  readonly createTime: number;
  readonly updateTime: number;
}

export interface Customer {
  readonly companyId: string;
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly createTime: number;
  readonly updateTime: number;
}

export interface Staff {
  readonly companyId: string;
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly createTime: number;
  readonly updateTime: number;
}

export interface Service {
  readonly companyId: string;
  readonly id: string;
  readonly name: string;
  readonly durationMinutes: number;
  readonly price: Money;
  /** Where it is offered; empty means everywhere. */
  readonly businessIds: readonly string[];
  /** When it was taken out of the catalog; null while it is in it. Only :archive and :restore change it. */
  readonly archiveTime: number | null;
  readonly createTime: number;
  readonly updateTime: number;
}

export interface Product {
  readonly companyId: string;
  readonly id: string;
  readonly name: string;
  readonly price: Money;
  readonly businessIds: readonly string[];
  /** As a service's. */
  readonly archiveTime: number | null;
  readonly createTime: number;
  readonly updateTime: number;
}

export const offeredAt = (businessIds: readonly string[], businessId: string): boolean =>
  businessIds.length === 0 || businessIds.includes(businessId);

/** What the front desk's search matches: names, email, and the phone's digits. */
export function customerSearchText(c: Pick<Customer, 'firstName' | 'lastName' | 'email' | 'phone'>): string {
  const digits = (c.phone ?? '').replace(/\D/g, '');
  return [c.firstName, c.lastName, c.email ?? '', digits].join(' ').toLowerCase();
}
