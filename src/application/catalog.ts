// The catalog of package templates. Edits affect later sales only: a sold package is a snapshot.
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import type { FieldViolation } from '../domain/errors.js';
import { failedPrecondition, invalidArgument, invalidArguments, notFound } from '../domain/errors.js';
import type { Money } from '../domain/money.js';
import { assertSameCurrency, isNegative } from '../domain/money.js';
import type { Activation, PackageTemplate, PackageType, PricedItemInput } from '../domain/template.js';
import { ACTIVATIONS, PACKAGE_TYPES, allocateTemplatePrice, assertNotNewlyArchived, validityFromInput } from '../domain/template.js';
import type { Deps } from './context.js';
import { requireCompany } from './context.js';
import { checkBusinessIds } from './reference-data.js';
import { newId } from './ids.js';
import type { Page, PageRequest } from './paging.js';
import { pageOf } from './paging.js';

export interface TemplateItemInput {
  readonly serviceIds: readonly string[];
  readonly quantity: number;
  readonly unitPrice?: Money | null;
}

export interface TemplateProductInput {
  readonly productId: string;
  readonly quantity: number;
  readonly unitPrice?: Money | null;
}

export interface TemplateInput {
  readonly id?: string;
  readonly name: string;
  readonly description?: string;
  readonly type?: string;
  readonly price: Money;
  readonly items?: readonly TemplateItemInput[];
  readonly productItems?: readonly TemplateProductInput[];
  readonly validity: { days?: number; months?: number; never?: boolean };
  readonly gracePeriodDays?: number;
  readonly activation?: string;
  readonly restrictRedemptionToSellingBusiness?: boolean;
  readonly businessIds?: readonly string[];
}

async function buildTemplate(
  deps: Deps,
  companyId: string,
  id: string,
  input: TemplateInput,
  times: { createTime: number; updateTime: number; archiveTime: number | null },
  /** The template as it stands before an edit: what it already holds may stay though archived since. */
  current?: PackageTemplate,
): Promise<PackageTemplate> {
  const violations: FieldViolation[] = [];
  const type = (input.type ?? 'REGULAR') as PackageType;
  if (!PACKAGE_TYPES.includes(type)) violations.push({ field: 'type', description: `must be one of ${PACKAGE_TYPES.join(', ')}` });
  const activation = (input.activation ?? 'ON_PURCHASE') as Activation;
  if (!ACTIVATIONS.includes(activation)) violations.push({ field: 'activation', description: `must be one of ${ACTIVATIONS.join(', ')}` });
  if (isNegative(input.price)) violations.push({ field: 'price', description: 'must not be negative' });
  const items = input.items ?? [];
  const products = input.productItems ?? [];
  if (items.length + products.length === 0) violations.push({ field: 'items', description: 'a package needs at least one item' });
  if (violations.length) throw invalidArguments(violations);

  const serviceIds = [...new Set(items.flatMap((i) => i.serviceIds))];
  const services = new Map((await deps.store.read.services.getMany(companyId, serviceIds)).map((s) => [s.id, s]));
  const productMap = new Map((await deps.store.read.products.getMany(companyId, products.map((p) => p.productId))).map((p) => [p.id, p]));

  const held = new Set(current?.items.flatMap((i) => i.refIds.map((ref) => `${i.kind}:${ref}`)) ?? []);
  const priced: PricedItemInput[] = [];
  items.forEach((item, n) => {
    const field = `items[${n}]`;
    if (item.serviceIds.length === 0) throw invalidArgument(`${field}.serviceIds`, 'name at least one service');
    if (new Set(item.serviceIds).size !== item.serviceIds.length) throw invalidArgument(`${field}.serviceIds`, 'lists a service twice');
    const missing = item.serviceIds.find((s) => !services.has(s));
    if (missing) throw invalidArgument(`${field}.serviceIds`, `service ${missing} does not exist`);
    for (const s of item.serviceIds) assertNotNewlyArchived('SERVICE', services.get(s)!, held.has(`SERVICE:${s}`), `${field}.serviceIds`);
    if (item.unitPrice) {
      assertSameCurrency(input.price, item.unitPrice, `${field}.unitPrice.currencyCode`);
      if (isNegative(item.unitPrice)) throw invalidArgument(`${field}.unitPrice`, 'must not be negative');
    }
    const first = services.get(item.serviceIds[0]!)!;
    priced.push({
      kind: 'SERVICE',
      refIds: item.serviceIds,
      quantity: item.quantity,
      givenUnitPrice: item.unitPrice ?? null,
      // A list price in another currency cannot weigh against this one; fall back to equal weights.
      listUnitPrice: first.price.currency === input.price.currency ? first.price : { currency: input.price.currency, minor: 0 },
      field,
    });
  });
  products.forEach((item, n) => {
    const field = `productItems[${n}]`;
    const product = productMap.get(item.productId);
    if (!product) throw invalidArgument(`${field}.productId`, `product ${item.productId} does not exist`);
    assertNotNewlyArchived('PRODUCT', product, held.has(`PRODUCT:${product.id}`), `${field}.productId`);
    if (item.unitPrice) {
      assertSameCurrency(input.price, item.unitPrice, `${field}.unitPrice.currencyCode`);
      if (isNegative(item.unitPrice)) throw invalidArgument(`${field}.unitPrice`, 'must not be negative');
    }
    priced.push({
      kind: 'PRODUCT',
      refIds: [item.productId],
      quantity: item.quantity,
      givenUnitPrice: item.unitPrice ?? null,
      listUnitPrice: product.price.currency === input.price.currency ? product.price : { currency: input.price.currency, minor: 0 },
      field,
    });
  });
  const values = allocateTemplatePrice(input.price, priced);

  const businessIds = await checkBusinessIds(deps, companyId, input.businessIds);

  return {
    companyId,
    id,
    name: input.name,
    description: input.description ?? '',
    type,
    price: input.price,
    items: priced.map((p, n) => ({ kind: p.kind, refIds: p.refIds, quantity: p.quantity, givenUnitPrice: p.givenUnitPrice, value: values[n]! })),
    validity: validityFromInput(input.validity),
    gracePeriodDays: input.gracePeriodDays ?? 0,
    activation,
    restrictRedemptionToSellingBusiness: input.restrictRedemptionToSellingBusiness ?? false,
    businessIds,
    ...times,
  };
}

/** Adds a template to the catalog (ADMIN). */
export async function createTemplate(deps: Deps, p: Principal, companyId: string, input: TemplateInput): Promise<PackageTemplate> {
  authorize(p, companyId, 'admin');
  await requireCompany(deps, p, companyId);
  const now = deps.clock.now();
  const template = await buildTemplate(deps, companyId, input.id ?? newId('template'), input, { createTime: now, updateTime: now, archiveTime: null });
  await deps.store.transaction((repos) => repos.templates.insert(template));
  return template;
}

/** Changes a template; packages already sold keep what they were sold with (ADMIN). */
export async function updateTemplate(
  deps: Deps,
  p: Principal,
  companyId: string,
  id: string,
  patch: Partial<TemplateInput>,
): Promise<PackageTemplate> {
  authorize(p, companyId, 'admin');
  const current = await deps.store.read.templates.get(companyId, id);
  if (!current) throw notFound('package template', id);
  const merged: TemplateInput = {
    name: patch.name ?? current.name,
    description: patch.description ?? current.description,
    type: patch.type ?? current.type,
    price: patch.price ?? current.price,
    items:
      patch.items ??
      current.items.filter((i) => i.kind === 'SERVICE').map((i) => ({ serviceIds: i.refIds, quantity: i.quantity, unitPrice: i.givenUnitPrice })),
    productItems:
      patch.productItems ??
      current.items.filter((i) => i.kind === 'PRODUCT').map((i) => ({ productId: i.refIds[0]!, quantity: i.quantity, unitPrice: i.givenUnitPrice })),
    validity: patch.validity ?? current.validity,
    gracePeriodDays: patch.gracePeriodDays ?? current.gracePeriodDays,
    activation: patch.activation ?? current.activation,
    restrictRedemptionToSellingBusiness: patch.restrictRedemptionToSellingBusiness ?? current.restrictRedemptionToSellingBusiness,
    businessIds: patch.businessIds ?? current.businessIds,
  };
  const next = await buildTemplate(deps, companyId, id, merged, {
    createTime: current.createTime,
    updateTime: deps.clock.now(),
    archiveTime: current.archiveTime,
  }, current);
  if (!(await deps.store.transaction((repos) => repos.templates.update(next)))) throw notFound('package template', id);
  return next;
}

/** Takes a template off sale; sold packages are unaffected (ADMIN). Archiving twice is harmless. */
export async function archiveTemplate(deps: Deps, p: Principal, companyId: string, id: string): Promise<PackageTemplate> {
  authorize(p, companyId, 'admin');
  const current = await deps.store.read.templates.get(companyId, id);
  if (!current) throw notFound('package template', id);
  if (current.archiveTime !== null) return current;
  const now = deps.clock.now();
  const next = { ...current, archiveTime: now, updateTime: now };
  await deps.store.transaction((repos) => repos.templates.update(next));
  return next;
}

/** Puts an archived template back on sale (ADMIN). Restoring one on sale is harmless. */
export async function restoreTemplate(deps: Deps, p: Principal, companyId: string, id: string): Promise<PackageTemplate> {
  authorize(p, companyId, 'admin');
  const current = await deps.store.read.templates.get(companyId, id);
  if (!current) throw notFound('package template', id);
  if (current.archiveTime === null) return current;
  const next = { ...current, archiveTime: null, updateTime: deps.clock.now() };
  await deps.store.transaction((repos) => repos.templates.update(next));
  return next;
}

export async function getTemplate(deps: Deps, p: Principal, companyId: string, id: string): Promise<PackageTemplate> {
  authorize(p, companyId, 'read');
  const t = await deps.store.read.templates.get(companyId, id);
  if (!t) throw notFound('package template', id);
  return t;
}

export async function listTemplates(
  deps: Deps,
  p: Principal,
  companyId: string,
  page: PageRequest,
  includeArchived: boolean,
): Promise<Page<PackageTemplate>> {
  authorize(p, companyId, 'read');
  await requireCompany(deps, p, companyId);
  return pageOf(await deps.store.read.templates.list(companyId, page, { includeArchived }), page, (t) => t.id);
}

export function assertOnSale(t: PackageTemplate): void {
  if (t.archiveTime !== null) throw failedPrecondition('TEMPLATE_ARCHIVED', `template ${t.id} is archived`, { templateId: t.id });
}
