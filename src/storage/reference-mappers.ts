// Rows of the reference tables to domain records and back. Driver quirks (JSON lists as text, numbers) end here.
import { money } from '../domain/money.js';
import type { Business, Company, Customer, Product, Service, Staff } from '../domain/reference.js';
import { customerSearchText } from '../domain/reference.js';
import type { StoredApiKey } from '../application/ports.js';
import type { Role } from '../domain/access.js';
import type {
  ApiKeysTable,
  BusinessesTable,
  CompaniesTable,
  CustomersTable,
  ProductsTable,
  ServicesTable,
  StaffTable,
} from './schema.js';

export const parseIdList = (text: string): string[] => JSON.parse(text) as string[];

export const companyRowToCompany = (r: CompaniesTable): Company => ({
  id: r.company_id,
  name: r.name,
  createTime: Number(r.created_at),
  updateTime: Number(r.updated_at),
});

export const companyToRow = (c: Company): CompaniesTable => ({
  company_id: c.id,
  name: c.name,
  created_at: c.createTime,
  updated_at: c.updateTime,
});

export const apiKeyRowToKey = (r: ApiKeysTable): StoredApiKey => ({
  companyId: r.company_id,
  id: r.key_id,
  hash: r.key_hash,
  prefix: r.prefix,
  name: r.name,
  role: r.role as Role,
  businessIds: parseIdList(r.business_ids),
  createTime: Number(r.created_at),
  revokeTime: r.revoked_at === null ? null : Number(r.revoked_at),
});

export const apiKeyToRow = (k: StoredApiKey): ApiKeysTable => ({
  company_id: k.companyId,
  key_id: k.id,
  key_hash: k.hash,
  prefix: k.prefix,
  name: k.name,
  role: k.role,
  business_ids: JSON.stringify(k.businessIds),
  created_at: k.createTime,
  revoked_at: k.revokeTime,
});

export const businessRowToBusiness = (r: BusinessesTable): Business => ({
  companyId: r.company_id,
  id: r.business_id,
  name: r.name,
  timeZone: r.time_zone,
  currencyCode: r.currency_code,
  createTime: Number(r.created_at),
  updateTime: Number(r.updated_at),
});

export const businessToRow = (b: Business): BusinessesTable => ({
  company_id: b.companyId,
  business_id: b.id,
  name: b.name,
  time_zone: b.timeZone,
  currency_code: b.currencyCode,
  created_at: b.createTime,
  updated_at: b.updateTime,
});

export const customerRowToCustomer = (r: CustomersTable): Customer => ({
  companyId: r.company_id,
  id: r.customer_id,
  firstName: r.first_name,
  lastName: r.last_name,
  email: r.email,
  phone: r.phone,
  createTime: Number(r.created_at),
  updateTime: Number(r.updated_at),
});

export const customerToRow = (c: Customer): CustomersTable => ({
  company_id: c.companyId,
  customer_id: c.id,
  first_name: c.firstName,
  last_name: c.lastName,
  email: c.email,
  phone: c.phone,
  search_text: customerSearchText(c),
  created_at: c.createTime,
  updated_at: c.updateTime,
});

export const staffRowToStaff = (r: StaffTable): Staff => ({
  companyId: r.company_id,
  id: r.staff_id,
  firstName: r.first_name,
  lastName: r.last_name,
  createTime: Number(r.created_at),
  updateTime: Number(r.updated_at),
});

export const staffToRow = (s: Staff): StaffTable => ({
  company_id: s.companyId,
  staff_id: s.id,
  first_name: s.firstName,
  last_name: s.lastName,
  created_at: s.createTime,
  updated_at: s.updateTime,
});

export const serviceRowToService = (r: ServicesTable): Service => ({
  companyId: r.company_id,
  id: r.service_id,
  name: r.name,
  durationMinutes: Number(r.duration_minutes),
  price: money(r.price_currency, Number(r.price_minor)),
  businessIds: parseIdList(r.business_ids),
  archiveTime: r.archived_at === null ? null : Number(r.archived_at),
  createTime: Number(r.created_at),
  updateTime: Number(r.updated_at),
});

export const serviceToRow = (s: Service): ServicesTable => ({
  company_id: s.companyId,
  service_id: s.id,
  name: s.name,
  duration_minutes: s.durationMinutes,
  price_currency: s.price.currency,
  price_minor: s.price.minor,
  business_ids: JSON.stringify(s.businessIds),
  archived_at: s.archiveTime,
  created_at: s.createTime,
  updated_at: s.updateTime,
});

export const productRowToProduct = (r: ProductsTable): Product => ({
  companyId: r.company_id,
  id: r.product_id,
  name: r.name,
  price: money(r.price_currency, Number(r.price_minor)),
  businessIds: parseIdList(r.business_ids),
  archiveTime: r.archived_at === null ? null : Number(r.archived_at),
  createTime: Number(r.created_at),
  updateTime: Number(r.updated_at),
});

export const productToRow = (p: Product): ProductsTable => ({
  company_id: p.companyId,
  product_id: p.id,
  name: p.name,
  price_currency: p.price.currency,
  price_minor: p.price.minor,
  business_ids: JSON.stringify(p.businessIds),
  archived_at: p.archiveTime,
  created_at: p.createTime,
  updated_at: p.updateTime,
});
