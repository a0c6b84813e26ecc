// JSON schemas shared by the HTTP routes: they validate requests and generate /openapi.json.
import { Type } from 'typebox';

export const Id = (description = 'an id: 1–64 characters of A–Z, a–z, 0–9, _ and -') =>
  Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', minLength: 1, maxLength: 64, description });
export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const Description = Type.String({ maxLength: 2000 });
export const IdList = Type.Array(Id(), { maxItems: 500 });

export const MoneyInput = Type.Object(
  {
    currencyCode: Type.String({ minLength: 3, maxLength: 3 }),
    units: Type.Union([Type.Integer(), Type.String({ pattern: '^-?\\d{1,18}$' })]),
    nanos: Type.Optional(Type.Integer({ minimum: -999999999, maximum: 999999999 })),
  },
  { description: 'google.type.Money; units a number or a decimal string' },
);

export const MoneyOutput = Type.Object({
  currencyCode: Type.String(),
  units: Type.Integer(),
  nanos: Type.Integer(),
});

export const PageQuery = {
  pageSize: Type.Optional(Type.String({ description: '1–500, default 50' })),
  pageToken: Type.Optional(Type.String({ maxLength: 64 })),
};

export const StatusSchema = Type.Object(
  {
    code: Type.Integer(),
    message: Type.String(),
    details: Type.Array(Type.Object({}, { additionalProperties: true })),
  },
  { description: 'google.rpc.Status' },
);

export const CompanyParams = Type.Object({ companyId: Id('the company') });
