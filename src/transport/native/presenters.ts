// Domain records as the native surface's camelCase JSON: every field present, times RFC 3339 UTC.
import { formatInstant } from '../../domain/calendar.js';
import { toGoogleMoney } from '../../domain/money.js';
import type { Business, Company, Customer, Product, Service, Staff } from '../../domain/reference.js';
import type { StoredApiKey } from '../../application/ports.js';
import type { Static } from 'typebox';
import type { ApiKey, Company as CompanySchema } from './tenant-routes.js';
import type { BusinessAnswer, CustomerAnswer, ProductAnswer, ServiceAnswer, StaffAnswer } from './reference-routes.js';

const archive = (r: { archiveTime: number | null }) => ({
  archived: r.archiveTime !== null,
  archiveTime: r.archiveTime === null ? null : formatInstant(r.archiveTime),
});

const times = (r: { createTime: number; updateTime: number }) => ({
  createTime: formatInstant(r.createTime),
  updateTime: formatInstant(r.updateTime),
});

export const presentCompany = (c: Company): Static<typeof CompanySchema> => ({ id: c.id, name: c.name, ...times(c) });

export const presentApiKey = (k: StoredApiKey): Static<typeof ApiKey> => ({
  id: k.id,
  companyId: k.companyId,
  name: k.name,
  role: k.role,
  prefix: k.prefix,
  businessIds: [...k.businessIds],
  createTime: formatInstant(k.createTime),
  revokeTime: k.revokeTime === null ? '' : formatInstant(k.revokeTime),
});

export const presentBusiness = (b: Business): Static<typeof BusinessAnswer> => ({
  id: b.id,
  companyId: b.companyId,
  name: b.name,
  timeZone: b.timeZone,
  currencyCode: b.currencyCode,
  ...times(b),
});

export const presentCustomer = (c: Customer): Static<typeof CustomerAnswer> => ({
  id: c.id,
  companyId: c.companyId,
  firstName: c.firstName,
  lastName: c.lastName,
  email: c.email ?? '',
  phone: c.phone ?? '',
  ...times(c),
});

export const presentStaff = (s: Staff): Static<typeof StaffAnswer> => ({
  id: s.id,
  companyId: s.companyId,
  firstName: s.firstName,
  lastName: s.lastName,
  ...times(s),
});

export const presentService = (s: Service): Static<typeof ServiceAnswer> => ({
  id: s.id,
  companyId: s.companyId,
  name: s.name,
  durationMinutes: s.durationMinutes,
  price: toGoogleMoney(s.price),
  businessIds: [...s.businessIds],
  ...archive(s),
  ...times(s),
});

export const presentProduct = (p: Product): Static<typeof ProductAnswer> => ({
  id: p.id,
  companyId: p.companyId,
  name: p.name,
  price: toGoogleMoney(p.price),
  businessIds: [...p.businessIds],
  ...archive(p),
  ...times(p),
});
