// JSON schemas of MoeGo's two list calls, as in the seed. Requests list both naming styles and allow unknown
// fields (MoeGo's clients send more than we read); the real checks, shared with gRPC, are in list-requests.ts.
// Responses are exactly the seed's fields: serialisation drops anything else.
import { Type } from 'typebox';
import { Id, MoneyOutput, NullableTime } from '../http/schemas.js';

const PageSize = Type.Union([Type.Integer(), Type.String({ pattern: '^-?\\d+$' })], { description: '1–500; absent means 50' });
const PageToken = Type.String({ maxLength: 64, description: 'from nextPageToken; "1" (or empty) is the first page' });
const Pagination = Type.Object(
  {
    pageSize: Type.Optional(PageSize),
    pageToken: Type.Optional(PageToken),
    page_size: Type.Optional(PageSize),
    page_token: Type.Optional(PageToken),
  },
  { additionalProperties: true, description: 'moego.common.v1.Pagination; absent means the first page of 50' },
);
const Ids = Type.Array(Type.String(), { maxItems: 500 });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const ListPackagesBody = Type.Object(
  {
    pagination: Type.Optional(Type.Union([Pagination, Type.Null()])),
    companyId: Type.Optional(Id('the company (required; the key must belong to it)')),
    customerIds: Type.Optional(Ids),
    customerId: Type.Optional(Type.String({ description: "MoeGo's older shape: one customer" })),
    businessId: Type.Optional(Nullable(Type.String({ description: 'only packages sold by this business' }))),
    company_id: Type.Optional(Type.String()),
    customer_ids: Type.Optional(Ids),
    customer_id: Type.Optional(Type.String()),
    business_id: Type.Optional(Nullable(Type.String())),
  },
  { additionalProperties: true },
);

export const ListPackageDetailsBody = Type.Object(
  {
    pagination: Type.Optional(Type.Union([Pagination, Type.Null()])),
    companyId: Type.Optional(Id('the company (required; the key must belong to it)')),
    packageIds: Type.Optional(Ids),
    businessId: Type.Optional(Nullable(Type.String({ description: 'only packages sold by this business' }))),
    company_id: Type.Optional(Type.String()),
    package_ids: Type.Optional(Ids),
    business_id: Type.Optional(Nullable(Type.String())),
  },
  { additionalProperties: true },
);

// A type list, not anyOf: fast-json-stringify serialises it directly instead of validating every value.
const Timestamp = NullableTime('RFC 3339, UTC');

export const MoegoPackage = Type.Object({
  id: Type.String(),
  customerId: Type.String(),
  businessId: Type.String(),
  staffId: Type.String(),
  packageName: Type.String(),
  packageDesc: Type.String(),
  packagePrice: MoneyOutput,
  purchaseTime: Type.String(),
  startTime: Timestamp,
  endTime: Timestamp,
  createTime: Type.String(),
  lastUpdateTime: Type.String(),
  expirationDate: Type.String({ description: 'yyyy-MM-dd in the business time zone; 9999-01-01 = never expires' }),
  status: Type.String({ description: 'STATUS_NORMAL' }),
  used: Type.Boolean(),
  applied: Type.Boolean(),
  totalRemainingQuantity: Type.Integer(),
});

export const MoegoPackageDetail = Type.Object({
  packageInfo: MoegoPackage,
  packageServices: Type.Array(
    Type.Object({
      id: Type.String(),
      packageId: Type.String(),
      services: Type.Array(Type.Object({ serviceId: Type.String(), unitPrice: MoneyOutput, name: Type.String() })),
      totalQuantity: Type.Integer(),
      remainingQuantity: Type.Integer(),
    }),
  ),
});

export const ListPackagesResponse = Type.Object({ packages: Type.Array(MoegoPackage), nextPageToken: Type.String() });
export const ListPackageDetailsResponse = Type.Object({ packageDetails: Type.Array(MoegoPackageDetail), nextPageToken: Type.String() });
