// Reference data: idempotent PUT upserts, GET one, GET a page (customers also ?query=); services and products are
// archived and restored (:archive, :restore) and listed without the archived ones unless ?includeArchived=true.
import { Type, type TSchema } from 'typebox';
import type { Deps } from '../../application/context.js';
import { parsePageRequest } from '../../application/paging.js';
import {
  archiveCatalogEntry,
  getReference,
  listReference,
  restoreCatalogEntry,
  upsertBusiness,
  upsertCustomer,
  upsertProduct,
  upsertService,
  upsertStaff,
} from '../../application/reference-data.js';
import type { Principal } from '../../domain/access.js';
import { parseMoney } from '../../domain/money.js';
import type { HttpApp } from '../http/types.js';
import { Id, IdList, MoneyInput, MoneyOutput, Name, NullableTime, PageQuery } from '../http/schemas.js';
import * as present from './presenters.js';

type Kind = 'businesses' | 'customers' | 'staff' | 'services' | 'products';

interface KindSpec {
  readonly path: string;
  readonly param: string;
  readonly tag: string;
  readonly body: TSchema;
  /** The record as answered: serialised from its schema, and documented by it. */
  readonly output: TSchema;
  readonly upsert: (deps: Deps, p: Principal, companyId: string, id: string, body: any) => Promise<unknown>;
  readonly present: (entity: any) => unknown;
  readonly listKey: string;
  /** Services and products: archived and restored by their own verbs. */
  readonly archivable?: 'services' | 'products';
}

const Time = Type.String({ description: 'RFC 3339, UTC' });

/** Each record as answered; the presenters are typed from these. */
export const BusinessAnswer = Type.Object({ id: Type.String(), companyId: Type.String(), name: Type.String(), timeZone: Type.String(), currencyCode: Type.String(), createTime: Time, updateTime: Time });
export const CustomerAnswer = Type.Object({ id: Type.String(), companyId: Type.String(), firstName: Type.String(), lastName: Type.String(), email: Type.String(), phone: Type.String(), createTime: Time, updateTime: Time });
export const StaffAnswer = Type.Object({ id: Type.String(), companyId: Type.String(), firstName: Type.String(), lastName: Type.String(), createTime: Time, updateTime: Time });
/** As a template answers it: archived, and since when (null while in the catalog). */
const Archive = { archived: Type.Boolean(), archiveTime: NullableTime() };
export const ServiceAnswer = Type.Object({ id: Type.String(), companyId: Type.String(), name: Type.String(), durationMinutes: Type.Integer(), price: MoneyOutput, businessIds: Type.Array(Type.String()), ...Archive, createTime: Time, updateTime: Time });
export const ProductAnswer = Type.Object({ id: Type.String(), companyId: Type.String(), name: Type.String(), price: MoneyOutput, businessIds: Type.Array(Type.String()), ...Archive, createTime: Time, updateTime: Time });

const SPECS: Record<Kind, KindSpec> = {
  businesses: {
    path: 'businesses',
    param: 'businessId',
    tag: 'Businesses',
    body: Type.Object({ name: Name, timeZone: Type.String({ minLength: 1, maxLength: 64 }), currencyCode: Type.String({ minLength: 3, maxLength: 3 }) }),
    upsert: upsertBusiness,
    present: present.presentBusiness,
    listKey: 'businesses',
    output: BusinessAnswer,
  },
  customers: {
    path: 'customers',
    param: 'customerId',
    tag: 'Customers',
    body: Type.Object({
      firstName: Name,
      lastName: Type.String({ maxLength: 200 }),
      email: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
      phone: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    }),
    upsert: upsertCustomer,
    present: present.presentCustomer,
    listKey: 'customers',
    output: CustomerAnswer,
  },
  staff: {
    path: 'staff',
    param: 'staffId',
    tag: 'Staff',
    body: Type.Object({ firstName: Name, lastName: Type.String({ maxLength: 200 }) }),
    upsert: upsertStaff,
    present: present.presentStaff,
    listKey: 'staff',
    output: StaffAnswer,
  },
  services: {
    path: 'services',
    param: 'serviceId',
    tag: 'Services',
    body: Type.Object({
      name: Name,
      durationMinutes: Type.Integer({ minimum: 0, maximum: 24 * 60 }),
      price: MoneyInput,
      businessIds: Type.Optional(IdList),
    }),
    upsert: (deps, p, c, id, body) => upsertService(deps, p, c, id, { ...body, price: parseMoney(body.price, 'price') }),
    present: present.presentService,
    listKey: 'services',
    output: ServiceAnswer,
    archivable: 'services',
  },
  products: {
    path: 'products',
    param: 'productId',
    tag: 'Products',
    body: Type.Object({ name: Name, price: MoneyInput, businessIds: Type.Optional(IdList) }),
    upsert: (deps, p, c, id, body) => upsertProduct(deps, p, c, id, { ...body, price: parseMoney(body.price, 'price') }),
    present: present.presentProduct,
    listKey: 'products',
    output: ProductAnswer,
    archivable: 'products',
  },
};

export function registerReferenceRoutes(app: HttpApp, deps: Deps): void {
  for (const [kind, spec] of Object.entries(SPECS) as [Kind, KindSpec][]) {
    const one = `/v1/companies/:companyId/${spec.path}/:${spec.param}`;
    const params = Type.Object({ companyId: Id('the company'), [spec.param]: Id() });
    const tags = [spec.tag];

    const response = { 200: spec.output };
    app.put(one, { schema: { tags, summary: `Create or replace (idempotent)`, params, body: spec.body, response } }, async (request) => {
      const ps = request.params as Record<string, string>;
      return spec.present(await spec.upsert(deps, request.principal, ps.companyId!, ps[spec.param]!, request.body));
    });

    app.get(one, { schema: { tags, summary: 'Read one', params, response } }, async (request) => {
      const ps = request.params as Record<string, string>;
      return spec.present(await getReference(deps, request.principal, ps.companyId!, kind, ps[spec.param]!));
    });

    const archivable = spec.archivable;
    if (archivable) {
      const verb = `/v1/companies/:companyId/${spec.path}/:${spec.param}(^[A-Za-z0-9_-]+)`;
      app.post(`${verb}::archive`, { schema: { tags, summary: 'Archive: out of lists and new templates; sold packages keep redeeming it (ADMIN)', params, response } }, async (request) => {
        const ps = request.params as Record<string, string>;
        return spec.present(await archiveCatalogEntry(deps, request.principal, ps.companyId!, archivable, ps[spec.param]!));
      });
      app.post(`${verb}::restore`, { schema: { tags, summary: 'Restore an archived one to the catalog (ADMIN)', params, response } }, async (request) => {
        const ps = request.params as Record<string, string>;
        return spec.present(await restoreCatalogEntry(deps, request.principal, ps.companyId!, archivable, ps[spec.param]!));
      });
    }

    const query =
      kind === 'customers' ? Type.Object({ ...PageQuery, query: Type.Optional(Type.String({ maxLength: 200 })) })
      : archivable ? Type.Object({ ...PageQuery, includeArchived: Type.Optional(Type.Boolean({ description: 'archived ones too (default false)' })) })
      : Type.Object(PageQuery);
    app.get(
      `/v1/companies/:companyId/${spec.path}`,
      {
        schema: {
          tags,
          summary: kind === 'customers' ? 'List or search (name, email, phone)' : 'List',
          params: Type.Object({ companyId: Id() }),
          querystring: query,
          response: { 200: Type.Object({ [spec.listKey]: Type.Array(spec.output), nextPageToken: Type.String() }) },
        },
      },
      async (request) => {
        const q = request.query as { pageSize?: string; pageToken?: string; query?: string; includeArchived?: boolean };
        const page = await listReference(deps, request.principal, request.params.companyId, kind, parsePageRequest(q.pageSize, q.pageToken), {
          query: q.query,
          includeArchived: q.includeArchived,
        });
        return { [spec.listKey]: page.items.map(spec.present), nextPageToken: page.nextPageToken };
      },
    );
  }
}
