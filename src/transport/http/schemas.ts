// JSON schemas shared by the HTTP routes: they validate requests and generate /openapi.json.
import { Type, type Static } from 'typebox';

export const Id = (description = 'an id: 1–64 characters of A–Z, a–z, 0–9, _ and -') =>
  Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', minLength: 1, maxLength: 64, description });
export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const Description = Type.String({ maxLength: 2000 });
export const IdList = Type.Array(Id(), { maxItems: 500 });

/** One of a fixed set of strings, written as a JSON Schema `enum` so that generated clients get a union type. */
export const Enum = <const T extends readonly string[]>(values: T, options: { description?: string } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

/** An instant as answers write it (RFC 3339, UTC), or null when there is none. */
export const NullableTime = (description = 'RFC 3339, UTC; null when not set') => Type.Unsafe<string | null>({ type: ['string', 'null'], description });

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
  // A number to typed clients; read as the query's text (string first, so no coercion turns '1e2' into 100).
  pageSize: Type.Optional(Type.Union([Type.String(), Type.Integer()], { description: '1–500, default 50' })),
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

// ---- Answers: named components, registered once (registerSharedSchemas) and used by `$ref`. ----

/** A `$ref` to a registered component, typed as the component's JSON. */
export const Ref = <T>(id: string) => Type.Unsafe<T>({ $ref: `${id}#` });

/** google.type.Money as answered: `units` a number, or a decimal string past 2^53 (report sums). */
export const Money = Type.Object(
  {
    currencyCode: Type.String(),
    units: Type.Union([Type.Integer(), Type.String({ pattern: '^-?\\d+$' })]),
    nanos: Type.Integer(),
  },
  { $id: 'Money', description: 'google.type.Money' },
);
export type MoneyJson = Static<typeof Money>;
export const MoneyRef = Ref<MoneyJson>('Money');

export const ErrorInfo = Type.Object(
  {
    '@type': Type.Literal('type.googleapis.com/google.rpc.ErrorInfo'),
    reason: Type.String(),
    domain: Type.String(),
    metadata: Type.Record(Type.String(), Type.String()),
  },
  { $id: 'ErrorInfo', description: 'google.rpc.ErrorInfo' },
);
export const BadRequest = Type.Object(
  {
    '@type': Type.Literal('type.googleapis.com/google.rpc.BadRequest'),
    fieldViolations: Type.Array(Type.Object({ field: Type.String(), description: Type.String() })),
  },
  { $id: 'BadRequest', description: 'google.rpc.BadRequest' },
);

/** The native and MoeGo surfaces' error answer. */
export const Status = Type.Object(
  {
    code: Type.Integer({ description: 'google.rpc.Code' }),
    message: Type.String(),
    details: Type.Array(Type.Union([Type.Unsafe<Static<typeof ErrorInfo>>({ $ref: 'ErrorInfo#' }), Type.Unsafe<Static<typeof BadRequest>>({ $ref: 'BadRequest#' })]), {
      description: 'google.rpc.ErrorInfo (reason, metadata) and, for a bad field, google.rpc.BadRequest',
    }),
  },
  { $id: 'Status', description: 'google.rpc.Status' },
);

/** Zenoti's error envelope, with the same HTTP status. */
export const ZenotiError = Type.Object(
  {
    packages: Type.Null(),
    page_info: Type.Null(),
    error: Type.Object({ code: Type.Integer({ description: 'the HTTP status' }), message: Type.String() }),
  },
  { $id: 'ZenotiError', description: "Zenoti's error envelope" },
);

export const SHARED_SCHEMAS = [Money, ErrorInfo, BadRequest, Status, ZenotiError];

const ERROR_MEANING: Record<number, string> = {
  400: 'INVALID_ARGUMENT (BadRequest names the field) or FAILED_PRECONDITION (ErrorInfo.reason)',
  401: 'UNAUTHENTICATED: no key, or an unknown or revoked key',
  403: "PERMISSION_DENIED: another company's, or the role may not do this",
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS, or ABORTED (IDEMPOTENCY_KEY_IN_USE)',
  413: 'the body is too large',
  422: 'INVALID_ARGUMENT: IDEMPOTENCY_KEY_REUSED or PAGE_SIZE_TOO_LARGE',
  429: 'RESOURCE_EXHAUSTED (RATE_LIMITED), with Retry-After',
  500: 'INTERNAL (the message carries only the request id)',
  503: 'UNAVAILABLE: the database cannot be reached; retry',
};

/** The fields a refusal by the rate limiter carries (API.md "Rate limits"); every answer to a key has the last two. */
const RATE_LIMIT_HEADERS = {
  'Retry-After': { type: 'integer', minimum: 1, description: 'seconds until a request is back, rounded up' },
  'RateLimit-Policy': { type: 'string', description: 'the bucket: `"key";q=<requests>;w=<window seconds>` (or `"address"` for requests without a valid key)' },
  RateLimit: { type: 'string', description: 'what is left: `"key";r=<requests left>;t=<seconds until one is back>`' },
};

/** The error statuses a route can give, each answering `schemaId` (Status, or ZenotiError). */
export function errorResponses(statuses: readonly number[], schemaId = 'Status'): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const s of statuses) out[s] = { description: ERROR_MEANING[s] ?? 'error', ...(s === 429 ? { headers: RATE_LIMIT_HEADERS } : {}), $ref: `${schemaId}#` };
  return out;
}
