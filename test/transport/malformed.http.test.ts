// Hundreds of malformed requests against every route the app has: none may answer 5xx, every error must be a
// google.rpc.Status (Zenoti's envelope on its routes) with the contract's HTTP status and no stack trace or SQL,
// and nothing may change. Routes and their schemas are read from the app's own OpenAPI document, so routes
// added later are covered too. Reproducible: FUZZ_SEED picks the random part (the seed is in every failure).
//
// Each request is either "refused" (it must get a 4xx, and is sent to company A, whose data is compared before
// and after) or "lenient" (the server may accept it, e.g. an unknown extra field or a number where a string is
// expected, which the validator coerces; it must still never 5xx, and is sent to company B).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ENGINES } from '../support/engines.js';
import { MASTER_KEY, createTestApp, type TestApp, type TestCompany } from '../support/app.js';
import { scanJsonText } from '../../src/transport/http/json-limits.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20260310);
/** Cases that reproduced bugs found by this suite, since fixed; FUZZ_KNOWN_BUGS=0 leaves them out. */
const KNOWN_BUGS = process.env.FUZZ_KNOWN_BUGS !== '0';

/** mulberry32: a small seeded generator, so every run sends the same requests. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

// ---------------------------------------------------------------------------------------------------------
// Schemas, as fastify-swagger publishes them.

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  /** OpenAPI 3.0's way of writing Union[X, Null]. */
  nullable?: boolean;
}

interface Route {
  readonly method: string;
  /** OpenAPI path, e.g. /v1/companies/{companyId}/customers/{customerId} */
  readonly path: string;
  readonly pathParams: { name: string; schema: Schema }[];
  readonly queryParams: { name: string; schema: Schema }[];
  readonly body: Schema | undefined;
  /** Public routes need no key; undefined when only the router knows the route (no OpenAPI entry). */
  readonly public: boolean | undefined;
}

const typesOf = (s: Schema): Set<string> => {
  const branches = s.anyOf ?? s.oneOf;
  const types = branches
    ? new Set(branches.flatMap((b) => [...typesOf(b)]))
    : new Set(s.type === undefined ? ['any'] : Array.isArray(s.type) ? s.type : [s.type]);
  if (s.nullable) types.add('null');
  return types;
};

/** A value the schema accepts, for routes whose valid bodies this file does not know. */
function sample(s: Schema): unknown {
  const branch = (s.anyOf ?? s.oneOf)?.[0];
  if (branch) return sample(branch);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      // Optional properties too, so that each of them is mutated.
      const o: Record<string, unknown> = {};
      for (const [k, p] of Object.entries(s.properties ?? {})) o[k] = sample(p);
      return o;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return Math.max(s.minimum ?? 1, 1);
    case 'boolean':
      return false;
    case 'string':
      return s.pattern?.includes('\\d{4}-\\d{2}-\\d{2}') ? '2026-01-01' : 'x'.repeat(Math.max(s.minLength ?? 1, 1));
    default:
      return 'x';
  }
}

// Valid bodies the contract gives; routes not named here get a sample from their schema.
const KNOWN_BODIES: Record<string, unknown> = {
  'POST /v1/companies': { id: 'fz_company', name: 'Fuzz' },
  'POST /v1/companies/{companyId}/apiKeys': { role: 'STAFF', businessIds: ['bus_seed'] },
  'PUT /v1/companies/{companyId}/businesses/{businessId}': { name: 'Shop', timeZone: 'Europe/Paris', currencyCode: 'EUR' },
  'PUT /v1/companies/{companyId}/customers/{customerId}': { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+1 555 0100' },
  'PUT /v1/companies/{companyId}/staff/{staffId}': { firstName: 'Grace', lastName: 'Hopper' },
  'PUT /v1/companies/{companyId}/services/{serviceId}': {
    name: 'Bath',
    durationMinutes: 30,
    price: { currencyCode: 'USD', units: 30, nanos: 0 },
    businessIds: ['bus_seed'],
  },
  'PUT /v1/companies/{companyId}/products/{productId}': { name: 'Shampoo', price: { currencyCode: 'USD', units: '12', nanos: 500_000_000 }, businessIds: ['bus_seed'] },
};

// Routes the OpenAPI document hides (operations, docs): listed by hand, all public.
const OPS_ROUTES: Route[] = ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs', '/docs/json'].map((path) => ({
  method: 'GET',
  path,
  pathParams: [],
  queryParams: [],
  body: undefined,
  public: true,
}));

function routesOf(doc: any): Route[] {
  const routes: Route[] = [];
  for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      if (!['get', 'put', 'post', 'patch', 'delete'].includes(method)) continue;
      const params = (op.parameters ?? []) as { in: string; name: string; schema: Schema }[];
      routes.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body: op.requestBody?.content?.['application/json']?.schema,
        public: Array.isArray(op.security) && op.security.length === 0,
      });
    }
  }
  return [...routes, ...OPS_ROUTES];
}

/** Every method and path the router serves, from printRoutes(), in OpenAPI form ("/a/{id}:verb"). */
export function routerRoutes(printed: string): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of printed.split('\n')) {
    const m = /^(.*?)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    if (!m[3]) continue;
    const raw = stack.join('');
    const path = raw
      .replace(/::/g, '\u0000')
      .replace(/\/:(\w+)(\([^)]*\))?/g, '/{$1}')
      .replace(/\u0000/g, ':')
      .replace(/^\/\//, '/');
    for (const method of m[3].split(', ')) out.push({ method, path });
  }
  return out;
}

/** Routes only the router knows (hidden from OpenAPI), with what can be told from their paths. */
function hiddenRoutes(known: Route[], printed: string): Route[] {
  const seen = new Set(known.map((r) => `${r.method} ${r.path}`));
  const out: Route[] = [];
  for (const { method, path } of routerRoutes(printed)) {
    if (method === 'HEAD' || path.includes('*') || path.startsWith('/docs/') || seen.has(`${method} ${path}`)) continue;
    seen.add(`${method} ${path}`);
    const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((x) => ({ name: x[1]!, schema: {} as Schema }));
    out.push({ method, path, pathParams, queryParams: [], body: undefined, public: undefined });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Field mutations. `refused` is claimed only where the validator must refuse whatever it coerces.

interface Leaf {
  readonly path: (string | number)[];
  readonly schema: Schema;
  readonly required: boolean;
}

function leavesOf(schema: Schema, value: unknown, path: (string | number)[] = [], required = true): Leaf[] {
  const out: Leaf[] = path.length ? [{ path, schema, required }] : [];
  if (schema.properties && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, s] of Object.entries(schema.properties)) {
      if (k in (value as object)) out.push(...leavesOf(s, (value as any)[k], [...path, k], (schema.required ?? []).includes(k)));
    }
  }
  if (schema.items && Array.isArray(value) && value.length > 0) out.push(...leavesOf(schema.items, value[0], [...path, 0], true));
  return out;
}

const fieldName = (path: (string | number)[]) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');

interface Mutation {
  readonly what: string;
  readonly value?: unknown;
  readonly remove?: boolean;
  readonly refused: boolean;
  /** Refused before field validation, so no BadRequest violation is expected to name the field. */
  readonly unnamed?: boolean;
}

function mutationsOf(leaf: Leaf): Mutation[] {
  const t = typesOf(leaf.schema);
  const any = t.has('any');
  const has = (x: string) => any || t.has(x);
  const only = (...xs: string[]) => !any && [...t].every((x) => xs.includes(x));
  const s = leaf.schema;
  const stringOnly = only('string') && !s.anyOf && !s.oneOf;
  const intOnly = only('integer') && !s.anyOf && !s.oneOf;
  // The validator coerces (coerceTypes: 'array'): a scalar where an array is expected becomes a list of one, and
  // so on. Only what no coercion can rescue is claimed to be refused.
  const numberOnly = only('integer', 'number');
  const m: Mutation[] = [
    { what: 'an object', value: { nested: { deeper: [1, 'two'] } }, refused: !has('object') },
    { what: 'an array of two', value: ['a', 'b'], refused: !has('array') },
    { what: 'an array of arrays', value: [[1], [2, 3]], refused: !has('array') },
    { what: 'an empty array', value: [], refused: !has('array') },
    { what: 'null', value: null, refused: stringOnly && (s.minLength ?? 0) > 0 && !s.pattern?.includes('*') },
    { what: 'true', value: true, refused: false },
    { what: 'a number', value: 12345, refused: !has('string') && !has('number') && !has('integer') && !has('boolean') && !has('array') },
    { what: 'a negative number', value: -7, refused: (numberOnly && s.minimum !== undefined && s.minimum >= 0) || only('object') },
    { what: 'a float', value: 1.5, refused: intOnly || only('object') || (stringOnly && !!s.pattern && !new RegExp(s.pattern).test('1.5')) },
    { what: 'a huge number', value: 1e300, refused: (numberOnly && s.maximum !== undefined) || only('object') },
    { what: 'an unsafe integer', value: 9007199254740993, refused: (numberOnly && s.maximum !== undefined && s.maximum < 2 ** 53) || only('object') },
    { what: 'a word', value: 'abc', refused: numberOnly || only('object') || only('boolean') },
    { what: 'an empty string', value: '', refused: stringOnly && (s.minLength ?? 0) > 0 },
    { what: "a SQL-looking string", value: "x'); DROP TABLE customers; --", refused: numberOnly || only('object') || (stringOnly && (!!s.pattern || (s.maxLength ?? 99) < 29)) },
    { what: 'unicode and emoji', value: 'Zoë 🐕‍🦺 ﷽ \u202e', refused: numberOnly || only('object') || (stringOnly && !!s.pattern) },
  ];
  m.push({ what: 'a NUL character', value: 'a\u0000b', refused: true, unnamed: true });
  if (s.maxLength !== undefined && stringOnly) {
    m.push({ what: `a string of ${s.maxLength + 1}`, value: 'a'.repeat(s.maxLength + 1), refused: true });
    m.push({ what: 'a string of 100 kB', value: 'a'.repeat(100_000), refused: true });
  }
  if (s.pattern && stringOnly) {
    for (const bad of ['has space', 'dot.dot', 'slash/slash', 'ünïcode', '../..', '<script>']) {
      if (!new RegExp(s.pattern).test(bad)) m.push({ what: `"${bad}"`, value: bad, refused: true });
    }
  }
  if (s.maximum !== undefined && numberOnly) m.push({ what: 'one over the maximum', value: s.maximum + 1, refused: true });
  if (s.minimum !== undefined && numberOnly) m.push({ what: 'one under the minimum', value: s.minimum - 1, refused: true });
  if (s.enum) m.push({ what: 'a value not in the enum', value: 'NOT_A_CHOICE', refused: true });
  if (leaf.path.length && typeof leaf.path[leaf.path.length - 1] === 'string') {
    m.push({ what: 'missing', remove: true, refused: leaf.required });
  }
  return m;
}

function applyMutation(body: unknown, path: (string | number)[], mutation: Mutation): unknown {
  const copy = structuredClone(body);
  let parent: any = copy;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const last = path[path.length - 1]!;
  if (mutation.remove) delete parent[last];
  else parent[last] = mutation.value;
  return copy;
}

// ---------------------------------------------------------------------------------------------------------
// Requests and what their answers must look like.

interface Case {
  readonly label: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: string | Buffer;
  /** Must be answered with a 4xx (and is aimed at company A). */
  readonly refused: boolean;
  /** When refused: the google.rpc.Code it must carry, if one is certain. */
  readonly code?: number;
  /** When refused for a field: the field a BadRequest violation must name. */
  readonly field?: string;
}

/** Connect RPC paths served on the HTTP port: /package.Service/Method. */
const isConnect = (url: string) => /^\/[a-z][\w]*(\.[a-z][\w]*)+\.[A-Z]\w*\/[A-Z]\w*(\?|$)/.test(url);
const CONNECT_HTTP: Record<string, number> = {
  canceled: 499, unknown: 500, invalid_argument: 400, deadline_exceeded: 504, not_found: 404, already_exists: 409,
  permission_denied: 403, resource_exhausted: 429, failed_precondition: 400, aborted: 409, out_of_range: 400,
  unimplemented: 501, internal: 500, unavailable: 503, data_loss: 500, unauthenticated: 401,
};
const HTTP_OF_CODE: Record<number, number[]> = { 3: [400, 413, 422], 5: [404], 6: [409], 7: [403], 8: [429], 9: [400], 10: [409], 13: [500], 14: [503], 16: [401] };
const LEAKS = [/\bat\s+\S+\s+\(?[^)]*:\d+:\d+/, /node_modules/, /\.(ts|js):\d+/, /SQLITE_/, /\bsqlite\b/i, /\bpostgres/i, /syntax error at/i, /relation "/i, /violates .* constraint/i, /duplicate key/i, /\bpg_/, /TypeError|ReferenceError|RangeError|Cannot read propert/];
const SQL_WORDS = [/\bSELECT\b.*\bFROM\b/i, /\bINSERT INTO\b/i, /\bUPDATE\b.*\bSET\b/i, /\bDELETE FROM\b/i, /\bDROP TABLE\b/i, /\bWHERE\b/i];

function problemsWith(c: Case, status: number, headers: Record<string, unknown>, body: string): string[] {
  const problems: string[] = [];
  if (status >= 500) problems.push(`answered ${status}`);
  if (c.refused && (status < 400 || status >= 500)) problems.push(`expected a 4xx, got ${status}`);
  if (c.method === 'HEAD' || status < 400) return problems;

  // Connect answers a wrong method or content type with the bare status, as its protocol says.
  if (isConnect(c.url) && (status === 405 || status === 415) && body === '') return problems;
  let json: any;
  try {
    json = JSON.parse(body);
  } catch {
    return [...problems, `error body is not JSON: ${body.slice(0, 120)}`];
  }
  if (!String(headers['content-type'] ?? '').startsWith('application/json')) problems.push(`content-type ${headers['content-type']}`);
  const zenoti = c.url.startsWith('/v1/guests/');
  let message: unknown;
  if (isConnect(c.url) && typeof json?.code === 'string') {
    // The Connect protocol's own envelope, {code: "invalid_argument", message}, with its HTTP status; what Fastify
    // refuses before Connect sees it (an unknown content type, a body too deep) answers in it too.
    if (!(json && typeof json.code === 'string' && CONNECT_HTTP[json.code] === status)) problems.push(`not a Connect error for ${status}: ${body.slice(0, 160)}`);
    message = json?.message;
  } else if (zenoti && !(json?.code === 5 && String(json?.message).startsWith('no route '))) {
    // Zenoti's routes answer in Zenoti's envelope; a path or method no route has is the router's 404 (Status).
    if (!(json && json.packages === null && json.page_info === null && typeof json.error?.message === 'string' && json.error.code === status)) {
      problems.push(`not a Zenoti error envelope: ${body.slice(0, 160)}`);
    }
    message = json?.error?.message;
  } else {
    const keys = json && typeof json === 'object' ? Object.keys(json).sort().join(',') : '';
    if (keys !== 'code,details,message' || !Number.isInteger(json.code) || typeof json.message !== 'string' || !Array.isArray(json.details)) {
      problems.push(`not a google.rpc.Status: ${body.slice(0, 160)}`);
    } else {
      if (!(HTTP_OF_CODE[json.code] ?? []).includes(status)) problems.push(`code ${json.code} with HTTP ${status}`);
      if (status === 413 && !json.details.some((d: any) => d.reason === 'PAYLOAD_TOO_LARGE')) problems.push('413 without reason PAYLOAD_TOO_LARGE');
      if (c.refused && c.code !== undefined && json.code !== c.code) problems.push(`expected code ${c.code}, got ${json.code}: ${json.message}`);
      if (c.refused && c.field !== undefined && json.code === 3) {
        const fields: string[] = json.details.flatMap((d: any) => (d.fieldViolations ?? []).map((v: any) => v.field));
        const named = fields.some((f) => f === c.field || c.field!.startsWith(`${f}.`) || c.field!.startsWith(`${f}[`) || f.startsWith(`${c.field}.`) || f.startsWith(`${c.field}[`));
        if (!named) problems.push(`no field violation names ${c.field}: ${json.message}`);
      }
    }
    message = json?.message;
  }
  if (typeof message === 'string') {
    const sent = `${c.url} ${c.payload ?? ''}`;
    for (const re of LEAKS) if (re.test(message) && !re.test(sent)) problems.push(`message leaks ${re}: ${message.slice(0, 160)}`);
    for (const re of SQL_WORDS) if (re.test(message) && !re.test(sent)) problems.push(`message shows SQL ${re}: ${message.slice(0, 160)}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Bodies built to hurt, generated with fast-check: nesting past the limit (no parser may recurse into it),
// lists of 200,000 items, NUL escapes at depth, truncated text and wrong content types, on every surface that
// reads a JSON body. At 32 levels a body is still read and validated as usual.

/** A route that reads a JSON body, and what its bodies hold. */
interface Surface {
  readonly name: string;
  readonly method: string;
  readonly url: (target: TestCompany) => string;
  /** The fields of a valid body, as JSON text without braces. */
  readonly fields: (target: TestCompany) => string;
  /** A string field the route validates (refused as that field when it holds a deep value). */
  readonly typed?: string;
  /** A list field with at most 500 entries. */
  readonly list?: string;
  /** A valid body with an extra field is answered 200. */
  readonly acceptsExtra: boolean;
  /** Connect's envelope, whose code is a string. */
  readonly connect?: boolean;
}

const SURFACES: readonly Surface[] = [
  {
    name: 'native PUT customer',
    method: 'PUT',
    url: (c) => `/v1/companies/${c.id}/customers/cus_deep`,
    fields: () => '"firstName":"Deep","lastName":"Body"',
    typed: 'firstName',
    acceptsExtra: true,
  },
  {
    name: 'native PUT service',
    method: 'PUT',
    url: (c) => `/v1/companies/${c.id}/services/srv_deep`,
    fields: () => '"name":"Deep","durationMinutes":15,"price":{"currencyCode":"USD","units":5},"businessIds":["bus_seed"]',
    typed: 'name',
    list: 'businessIds',
    acceptsExtra: true,
  },
  {
    name: 'MoeGo POST /v1/packages:list',
    method: 'POST',
    url: () => '/v1/packages:list',
    fields: (c) => `"companyId":"${c.id}","customerIds":["cus_seed"]`,
    typed: 'companyId',
    list: 'customerIds',
    acceptsExtra: true,
  },
  {
    name: 'MoeGo POST /v1/packages/details:list',
    method: 'POST',
    url: () => '/v1/packages/details:list',
    fields: (c) => `"companyId":"${c.id}","packageIds":["pkg_none"]`,
    typed: 'companyId',
    list: 'packageIds',
    acceptsExtra: false,
  },
  {
    name: 'Connect JSON ListPackages',
    method: 'POST',
    url: () => '/moego.business.package.v1.PackageService/ListPackages',
    fields: (c) => `"companyId":"${c.id}","customerIds":["cus_seed"]`,
    typed: 'companyId',
    list: 'customerIds',
    acceptsExtra: true,
    connect: true,
  },
  {
    // Zenoti's routes are GETs, whose bodies are never read: a POST finds no route, answered in Zenoti's envelope.
    name: 'Zenoti path',
    method: 'POST',
    url: () => '/v1/guests/cus_seed/packages',
    fields: () => '"center_id":"bus_seed"',
    acceptsExtra: false,
  },
];

type Kind = 'array' | 'object';
const KINDS = fc.array(fc.constantFrom<Kind>('array', 'object'), { minLength: 1, maxLength: 6 });

/** `levels` arrays or objects inside one another, opened in the order `kinds` repeats, around `core`. */
function nested(levels: number, kinds: readonly Kind[], core = '1'): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < levels; i++) {
    const array = kinds[i % kinds.length] === 'array';
    open.push(array ? '[' : '{"k":');
    close.push(array ? ']' : '}');
  }
  return open.join('') + core + close.reverse().join('');
}

type Placement = 'whole' | 'extra' | 'typed';

/** A body `levels` deep in all: the nesting as the whole body, in an extra field, or in the route's typed field. */
function deepBody(s: Surface, target: TestCompany, levels: number, kinds: readonly Kind[], placement: Placement, core = '1'): string {
  if (placement === 'whole') return nested(levels, kinds, core);
  return `{${s.fields(target)},"${placement === 'typed' ? s.typed : 'deep'}":${nested(levels - 1, kinds, core)}}`;
}

/** The text of a JSON string literal holding `pre`, then `middle` as written (an escape), then `post`. */
const literal = (pre: string, middle: string, post: string) => `"${JSON.stringify(pre).slice(1, -1)}${middle}${JSON.stringify(post).slice(1, -1)}"`;
const SNIPPET = fc.string({ unit: fc.constantFrom('a', 'u', '0', '\\', '"', '/', ' ', 'é'), maxLength: 6 });

// ---------------------------------------------------------------------------------------------------------

describe('the JSON text scan (scanJsonText)', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'u', '0', '\\', '"', '\u0000', '/', 'é', '🐕'), maxLength: 6 });
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { maxDepth: 12, depthSize: 'medium' },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      text,
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(text, tie('value'), { maxKeys: 3 }),
    ),
  }));
  const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
  const nulIn = (v: unknown): boolean =>
    typeof v === 'string'
      ? v.includes('\u0000')
      : v !== null && typeof v === 'object' && Object.entries(v).some(([k, x]) => k.includes('\u0000') || nulIn(x));

  it('agrees with the parsed value on depth and NULs, whatever backslashes, quotes and u0000 the strings hold', () => {
    fc.assert(
      fc.property(value, fc.nat(14), fc.constantFrom(0, 2), (v, limit, indent) => {
        const shape = scanJsonText(JSON.stringify(v, null, indent), limit);
        expect(shape.tooDeep).toBe(depthOf(v) > limit);
        if (!shape.tooDeep) expect(shape.nul).toBe(nulIn(v));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('measures 100,000 levels without recursion', () => {
    expect(scanJsonText('['.repeat(100_000) + ']'.repeat(100_000), 100_000)).toEqual({ tooDeep: false, nul: false });
    expect(scanJsonText('['.repeat(100_001), 100_000).tooDeep).toBe(true);
  });
});

describe.each(ENGINES)('malformed requests on %s', (engine) => {
  let t: TestApp;
  let a: TestCompany;
  let b: TestCompany;
  let routes: Route[];
  let viewerA: string;
  let revokedA: string;

  const master = { authorization: `Bearer ${MASTER_KEY}` };

  /** Everything company A has, as its ADMIN reads it: every GET that needs only the company, and the seeded records. */
  async function snapshot(): Promise<unknown> {
    const out: Record<string, unknown> = { companies: await t.deps.store.read.companies.count() };
    const reads = routes.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/companies/{companyId}'));
    for (const r of reads) {
      const only = r.pathParams.every((p) => p.name === 'companyId' || p.name in SEEDED);
      if (!only) continue;
      const url = urlOf(r, a, 0);
      const res = await t.app.inject({ method: 'GET', url: `${url}${url.includes('?') ? '&' : '?'}pageSize=500`, headers: a.auth });
      out[r.path] = { status: res.statusCode, body: res.body };
    }
    out.me = (await t.app.inject({ method: 'GET', url: '/v1/me', headers: a.auth })).json();
    return out;
  }

  beforeAll(async () => {
    t = await createTestApp(engine);
    [a, b] = [await t.newCompany(), await t.newCompany()];
    for (const c of [a, b]) {
      await c.call('PUT', '/businesses/bus_seed', { name: 'Seed', timeZone: 'UTC', currencyCode: 'USD' });
      await c.call('PUT', '/customers/cus_seed', { firstName: 'Seed', lastName: 'Customer', email: 'seed@example.com' });
      await c.call('PUT', '/staff/stf_seed', { firstName: 'Seed', lastName: 'Staff' });
      await c.call('PUT', '/services/srv_seed', { name: 'Seed', durationMinutes: 15, price: { currencyCode: 'USD', units: 5 } });
      await c.call('PUT', '/products/prd_seed', { name: 'Seed', price: { currencyCode: 'USD', units: 5 } });
    }
    viewerA = (await a.newKey('VIEWER')).key;
    const revoked = await a.newKey('STAFF');
    await t.app.inject({ method: 'DELETE', url: `/v1/companies/${a.id}/apiKeys/${revoked.id}`, headers: a.auth });
    revokedA = revoked.key;
    const documented = routesOf(t.app.swagger());
    routes = [...documented, ...hiddenRoutes(documented, t.app.printRoutes({ commonPrefix: false }))];
  });
  afterAll(() => t.close());

  const SEEDED: Record<string, string> = {
    businessId: 'bus_seed',
    customerId: 'cus_seed',
    staffId: 'stf_seed',
    serviceId: 'srv_seed',
    productId: 'prd_seed',
  };

  /** The concrete URL of a route for company A (refused cases) or B (lenient ones). */
  function urlOf(route: Route, target: TestCompany, n: number, overrides: Record<string, string> = {}, query = ''): string {
    let url = route.path;
    for (const p of route.pathParams) {
      const value =
        overrides[p.name] ??
        (p.name === 'companyId' ? target.id : route.method === 'GET' || n % 2 === 0 ? (SEEDED[p.name] ?? `zz_none_${p.name}`) : `fz_${n}`);
      url = url.replace(`{${p.name}}`, value);
    }
    return query ? `${url}?${query}` : url;
  }

  const adminOf = (target: TestCompany, route: Route) => (route.path === '/v1/companies' && target === a ? master : target.auth);
  const baseBody = (route: Route) => KNOWN_BODIES[`${route.method} ${route.path}`] ?? (route.body ? sample(route.body) : undefined);
  const json = (_ignored?: unknown) => ({ 'content-type': 'application/json' });

  function bodyCase(route: Route, n: number, label: string, body: unknown, refused: boolean, field?: string): Case {
    const target = refused ? a : b;
    const raw = JSON.stringify(body);
    return {
      label,
      method: route.method,
      url: urlOf(route, target, n),
      headers: { ...adminOf(target, route), ...json(body) },
      payload: raw,
      refused,
      code: refused ? 3 : undefined,
      field,
    };
  }

  function systematicCases(): Case[] {
    const cases: Case[] = [];
    let n = 0;
    for (const route of routes) {
      const base = baseBody(route);
      const hasBody = route.body !== undefined;
      // Fastify parses a body on these methods, whatever the route: unparseable bodies are refused by all.
      const bodyRefusal = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method);
      // Bodies that parse but are not objects are refused only where a schema asks for an object.
      const objectRefusal = typesOf(route.body ?? {}).has('object') && !typesOf(route.body ?? {}).has('any');

      // Field by field, every kind of wrong value.
      if (route.body && base !== undefined) {
        for (const leaf of leavesOf(route.body, base)) {
          for (const mutation of mutationsOf(leaf)) {
            const label = `${route.method} ${route.path}: ${fieldName(leaf.path)} as ${mutation.what}`;
            const field = mutation.refused && !mutation.unnamed ? fieldName(leaf.path) : undefined;
            cases.push(bodyCase(route, n++, label, applyMutation(base, leaf.path, mutation), mutation.refused, field));
          }
        }
        cases.push(bodyCase(route, n++, `${route.method} ${route.path}: unknown extra fields`, { ...(base as object), zzUnknown: 1, __proto__x: { a: 1 } }, false));
        const required = route.body.required ?? [];
        if (required.length > 0) cases.push(bodyCase(route, n++, `${route.method} ${route.path}: an empty object`, {}, true, required[0]));
      }

      // Whole bodies that are not what the route reads.
      const wholeBodies: [string, string, Record<string, string>, boolean][] = [
        ['malformed JSON', '{"name": "x",', json(0), bodyRefusal],
        ['truncated JSON', '{', json(0), bodyRefusal],
        ['JSON with a trailing comma', '{"a": 1,}', json(0), bodyRefusal],
        ['single quotes', "{'a': 1}", json(0), bodyRefusal],
        ['an empty JSON body', '', json(0), bodyRefusal],
        ['a JSON array', '[1, 2, 3]', json(0), objectRefusal],
        ['a JSON string', '"hello"', json(0), objectRefusal],
        ['a JSON number', '42', json(0), objectRefusal],
        ['a __proto__ key', '{"__proto__": {"admin": true}}', json(0), bodyRefusal],
        ['a constructor.prototype key', '{"constructor": {"prototype": {"admin": true}}}', json(0), bodyRefusal],
        ['text/plain', JSON.stringify(base ?? {}), { 'content-type': 'text/plain' }, objectRefusal],
        ['a form', 'name=x&id=y', { 'content-type': 'application/x-www-form-urlencoded' }, bodyRefusal],
        ['multipart', '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--', { 'content-type': 'multipart/form-data; boundary=b' }, bodyRefusal],
        ['XML', '<a>1</a>', { 'content-type': 'application/xml' }, bodyRefusal],
        ['octet-stream', '\u0000\u0001\u0002', { 'content-type': 'application/octet-stream' }, bodyRefusal],
        ['a bogus content type', '{}', { 'content-type': '!!!/???' }, bodyRefusal],
        ['JSON in UTF-16', JSON.stringify(base ?? {}), { 'content-type': 'application/json; charset=utf-16' }, false],
      ];
      for (const [what, payload, headers, refused] of wholeBodies) {
        const target = refused ? a : b;
        cases.push({
          label: `${route.method} ${route.path}: ${what}`,
          method: route.method,
          url: urlOf(route, target, n++),
          headers: { ...adminOf(target, route), ...headers },
          payload,
          refused,
          code: refused ? 3 : undefined,
        });
      }
      // Over 1 MiB: 413, on every route that reads a body.
      cases.push({
        label: `${route.method} ${route.path}: a body over 1 MiB`,
        method: route.method,
        url: urlOf(route, bodyRefusal ? a : b, n++),
        headers: { ...adminOf(bodyRefusal ? a : b, route), ...json(0) },
        payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 1) }),
        refused: bodyRefusal,
      });

      // Path parameters that are not ids.
      for (const p of route.pathParams) {
        const bad = ['a'.repeat(65), 'a'.repeat(150), 'has.dot', 'a b', 'semi;colon', 'quote\'', 'dollar$', 'plus+', 'colon:x', '~tilde', '(paren)', 'ünï', '..'];
        if (KNOWN_BUGS) bad.push('a'.repeat(201));
        for (const value of bad) {
          cases.push({
            label: `${route.method} ${route.path}: ${p.name} "${value.slice(0, 20)}"`,
            method: route.method,
            url: urlOf(route, a, n++, { [p.name]: encodeURIComponent(value) }),
            headers: { ...adminOf(a, route), ...(hasBody ? json(0) : {}) },
            payload: hasBody ? JSON.stringify(base) : undefined,
            refused: true,
            // A route whose parameter has a pattern in the router (":id(^…$):verb") does not match a bad id at all
            // (404), and ".." is resolved away by URL normalisation, leaving a path no route has.
            code: value === '..' || /\}:/.test(route.path) ? undefined : 3,
            field: value === '..' ? undefined : p.name,
          });
        }
        if (KNOWN_BUGS) {
          cases.push({ label: `${route.method} ${route.path}: ${p.name} with a bad percent-escape`, method: route.method, url: urlOf(route, a, n++, { [p.name]: '%ZZ' }), headers: adminOf(a, route), refused: true });
        }
        cases.push({ label: `${route.method} ${route.path}: ${p.name} with a NUL byte`, method: route.method, url: urlOf(route, a, n++, { [p.name]: 'a%00b' }), headers: { ...adminOf(a, route), ...(hasBody ? json(0) : {}) }, payload: hasBody ? JSON.stringify(base) : undefined, refused: true });
        cases.push({ label: `${route.method} ${route.path}: ${p.name} with a slash`, method: route.method, url: urlOf(route, a, n++, { [p.name]: 'a/b' }), headers: adminOf(a, route), refused: true });
      }

      // Query parameters.
      const names = new Set(route.queryParams.map((q) => q.name));
      const badQueries: [string, boolean][] = [
        ['zzUnknown=1', false],
        ['pageSize=1&pageSize=2', false],
        ['%E0%A4%A=1', false],
      ];
      if (names.has('pageSize')) {
        for (const v of ['0', '501', '-1', 'abc', '1.5', '1e2', '0x10', '99999999999999999999', ' 5', '5%00']) badQueries.push([`pageSize=${encodeURIComponent(v)}`, true]);
        badQueries.push(['pageSize=', false]);
      }
      if (names.has('page_size')) {
        for (const v of ['0', '-1', 'abc', '1.5', '101']) badQueries.push([`page_size=${encodeURIComponent(v)}`, true]);
      }
      if (names.has('page_num')) {
        for (const v of ['0', '-1', 'abc', '1.5']) badQueries.push([`page_num=${encodeURIComponent(v)}`, true]);
      }
      if (names.has('pageToken')) {
        for (const v of ['!!', '~', '0', 'x'.repeat(65), 'cus_seed', '~a b', '-1', '1.5']) badQueries.push([`pageToken=${encodeURIComponent(v)}`, true]);
      }
      for (const q of route.queryParams) {
        if (q.schema.maxLength !== undefined && !['pageSize', 'pageToken', 'page_size', 'page_num'].includes(q.name)) {
          badQueries.push([`${q.name}=${'q'.repeat(q.schema.maxLength + 1)}`, true]);
          badQueries.push([`${q.name}=${encodeURIComponent("%_'\"\\;--")}`, false]);
        }
        if (q.schema.enum) badQueries.push([`${q.name}=NOT_A_CHOICE`, true]);
      }
      for (const [query, refused] of badQueries) {
        const target = refused ? a : b;
        cases.push({
          label: `${route.method} ${route.path}?${query.slice(0, 40)}`,
          method: route.method,
          url: urlOf(route, target, n++, {}, query),
          headers: { ...adminOf(target, route), ...(hasBody ? json(0) : {}) },
          payload: hasBody ? JSON.stringify(base) : undefined,
          refused,
          code: refused ? 3 : undefined,
        });
      }

      // Keys that do not authenticate.
      const badAuth = [
        undefined,
        '',
        'Bearer',
        'Bearer ',
        'Bearer  ',
        'bearer nope',
        'Token abc',
        'Basic',
        'Basic !!!',
        `Basic ${Buffer.from('nope').toString('base64')}`,
        `Basic ${Buffer.from(':').toString('base64')}`,
        'apikey',
        `Bearer ${a.key}x`,
        `Bearer ${a.key.slice(0, -1)}`,
        `Bearer ${a.key.replace(a.id, b.id)}`,
        `Bearer ${a.key} extra`,
        `Bearer pck.${a.id}`,
        'Bearer pck..x',
        `Bearer pck.${'a'.repeat(100)}.x`,
        `Bearer ${'x'.repeat(8000)}`,
        `Bearer ${MASTER_KEY}x`,
        `Bearer ${MASTER_KEY.toUpperCase()}`,
        `Bearer ${revokedA}`,
        `Basic ${Buffer.from(`${revokedA}:`).toString('base64')}`,
      ];
      for (const authorization of badAuth) {
        cases.push({
          label: `${route.method} ${route.path}: Authorization ${JSON.stringify(authorization?.slice(0, 30))}`,
          method: route.method,
          url: urlOf(route, a, n++),
          headers: { ...(authorization === undefined ? {} : { authorization }), ...(hasBody ? json(0) : {}) },
          payload: hasBody ? JSON.stringify(base) : undefined,
          refused: route.public === false,
          code: route.public === false ? 16 : undefined,
        });
      }
      // Keys that authenticate but may not do this here.
      if (route.public === false && route.path.startsWith('/v1/companies/{companyId}')) {
        cases.push({
          label: `${route.method} ${route.path}: another company's ADMIN key`,
          method: route.method,
          url: urlOf(route, a, n++),
          headers: { ...b.auth, ...(hasBody ? json(0) : {}) },
          payload: hasBody ? JSON.stringify(route.path === '/v1/companies' ? { id: 'fz_other', name: 'x' } : base) : undefined,
          refused: true,
        });
        if (route.method !== 'GET') {
          cases.push({
            label: `${route.method} ${route.path}: a VIEWER key writing`,
            method: route.method,
            url: urlOf(route, a, n++),
            headers: { authorization: `Bearer ${viewerA}`, ...(hasBody ? json(0) : {}) },
            payload: hasBody ? JSON.stringify(base) : undefined,
            refused: true,
          });
        }
      }

      // Methods the route does not have.
      const registered = new Set(routes.filter((r) => r.path === route.path).map((r) => r.method));
      if (route === routes.find((r) => r.path === route.path) && registered.size < 6) {
        for (const method of ['GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'LOCK', 'MKCOL', 'HEAD']) {
          if (registered.has(method) || (method === 'HEAD' && registered.has('GET'))) continue;
          cases.push({ label: `${method} ${route.path}: an odd method`, method, url: urlOf(route, a, n++), headers: adminOf(a, route), refused: true });
        }
        if (registered.has('GET')) {
          cases.push({ label: `HEAD ${route.path}`, method: 'HEAD', url: urlOf(route, a, n++), headers: adminOf(a, route), refused: false });
        }
      }
    }
    return cases;
  }

  function randomValue(rng: Rng, depth = 0): unknown {
    const strings = ['', 'a', 'ADMIN', 'USD', 'UTC', '2026-13-45', '-1', '1e9', '🐕', '\\', '"', "'", '%', '_', 'null', 'x'.repeat(rng.int(300))];
    switch (rng.int(depth > 2 ? 6 : 8)) {
      case 0:
        return null;
      case 1:
        return rng.next() < 0.5;
      case 2:
        return rng.pick([0, -1, 1, 1.5, -0.0001, 1e21, -1e21, 2 ** 53 + 1, 500, 501, 1440, 1441, 999_999_999, 1_000_000_000]);
      case 3:
      case 4:
        return rng.pick(strings);
      case 5:
        return String.fromCharCode(...Array.from({ length: rng.int(20) }, () => 32 + rng.int(0x2fff)));
      case 6:
        return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
      default: {
        const o: Record<string, unknown> = {};
        const keys = ['name', 'id', 'role', 'price', 'units', 'nanos', 'currencyCode', 'businessIds', 'firstName', 'timeZone', 'x', '__proto__', ''];
        for (let i = rng.int(5); i > 0; i--) o[rng.pick(keys)] = randomValue(rng, depth + 1);
        return o;
      }
    }
  }

  function randomCases(count: number): Case[] {
    const rng = prng(SEED);
    const withBody = routes.filter((r) => r.body !== undefined);
    const cases: Case[] = [];
    for (let n = 0; n < count; n++) {
      const route = rng.pick(withBody);
      const base = baseBody(route);
      const leaves = base === undefined ? [] : leavesOf(route.body!, base);
      const kind = rng.int(4);
      if (kind <= 1 && leaves.length > 0) {
        // Two or three field mutations at unrelated places: refused when any of them must be.
        const chosen: { leaf: Leaf; mutation: Mutation }[] = [];
        for (let i = 0; i < 2 + rng.int(2); i++) {
          const leaf = rng.pick(leaves);
          const related = chosen.some((c) => {
            const [x, y] = [fieldName(c.leaf.path), fieldName(leaf.path)];
            return x === y || x.startsWith(`${y}.`) || x.startsWith(`${y}[`) || y.startsWith(`${x}.`) || y.startsWith(`${x}[`);
          });
          if (!related) chosen.push({ leaf, mutation: rng.pick(mutationsOf(leaf)) });
        }
        let body: unknown = base;
        for (const c of chosen) body = applyMutation(body, c.leaf.path, c.mutation);
        const refused = chosen.some((c) => c.mutation.refused);
        cases.push(bodyCase(route, 10_000 + n, `random #${n} ${route.method} ${route.path}: ${chosen.map((c) => `${fieldName(c.leaf.path)} as ${c.mutation.what}`).join(', ')}`, body, refused));
      } else if (kind <= 2) {
        // A random JSON value as the whole body.
        const body = randomValue(rng);
        const required = route.body!.required ?? [];
        const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
        const refused = isObject ? required.some((k) => !(k in (body as object))) : body !== null || required.length > 0;
        cases.push(bodyCase(route, 10_000 + n, `random #${n} ${route.method} ${route.path}: body ${JSON.stringify(body)?.slice(0, 60)}`, body, refused));
      } else {
        // Random bytes sent as JSON.
        const text = Array.from({ length: 1 + rng.int(40) }, () => rng.pick(['{', '}', '[', ']', '"', ':', ',', 'a', '1', ' ', '\\', 'n', 'u', 'e', '-', '.', '\u00ff', 'null', 'true'])).join('');
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        const target = parses ? b : a;
        cases.push({
          label: `random #${n} ${route.method} ${route.path}: bytes ${JSON.stringify(text)}`,
          method: route.method,
          url: urlOf(route, target, 10_000 + n),
          headers: { ...adminOf(target, route), 'content-type': 'application/json' },
          payload: text,
          refused: !parses,
          code: parses ? undefined : 3,
        });
      }
    }
    return cases;
  }

  async function send(cases: Case[]): Promise<string[]> {
    const failures: string[] = [];
    for (const c of cases) {
      let r;
      try {
        r = await t.app.inject({ method: c.method as any, url: c.url, headers: c.headers, payload: c.payload });
      } catch (error) {
        failures.push(`${c.label}: the request threw ${(error as Error).message}`);
        continue;
      }
      const problems = problemsWith(c, r.statusCode, r.headers, r.body);
      if (problems.length) failures.push(`${c.label} [${c.method} ${c.url.slice(0, 100)}]: ${problems.join('; ')}`);
    }
    return failures;
  }

  it('covers every route the app serves', () => {
    const paths = new Set(routes.map((r) => r.path));
    const params = { businesses: 'businessId', customers: 'customerId', staff: 'staffId', services: 'serviceId', products: 'productId' };
    for (const [kind, param] of Object.entries(params)) {
      expect(paths).toContain(`/v1/companies/{companyId}/${kind}`);
      expect(paths).toContain(`/v1/companies/{companyId}/${kind}/{${param}}`);
    }
    for (const path of ['/v1/companies', '/v1/companies/{companyId}/apiKeys', '/v1/companies/{companyId}/apiKeys/{keyId}', '/v1/me', '/healthz']) {
      expect(paths).toContain(path);
    }
    // Every method and path the router serves is in the list, bar HEAD, the docs' files and the web app's fallback.
    const listed = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const served = routerRoutes(t.app.printRoutes({ commonPrefix: false })).filter(
      (r) => r.method !== 'HEAD' && !r.path.includes('*') && !r.path.startsWith('/docs/'),
    );
    expect(served.length).toBeGreaterThan(20);
    expect(served.map((r) => `${r.method} ${r.path}`).filter((r) => !listed.has(r))).toEqual([]);
  });

  it('answers hundreds of malformed requests with 4xx google.rpc.Status and never 5xx, changing nothing', async () => {
    const before = await snapshot();
    const cases = [...systematicCases(), ...randomCases(250)];
    expect(cases.length).toBeGreaterThan(500);
    expect(cases.filter((c) => c.refused).length).toBeGreaterThan(400);

    const failures = await send(cases);

    expect(failures, `seed ${SEED}, ${failures.length} of ${cases.length} failed:\n${failures.slice(0, 40).join('\n')}`).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  /** A request to a surface: refused ones go to company A (whose data must not change), lenient ones to B. */
  function surfaceCase(s: Surface, label: string, body: (target: TestCompany) => string, refused: boolean, options: { contentType?: string; field?: string } = {}): Case {
    const target = refused ? a : b;
    return {
      label: `${s.name}: ${label}`,
      method: s.method,
      url: s.url(target),
      headers: { ...target.auth, 'content-type': options.contentType ?? 'application/json' },
      payload: body(target),
      refused,
      // The code is certain where the answer is a google.rpc.Status: not on Zenoti's path, whose POST has no route.
      code: refused && s.name !== 'Zenoti path' && options.contentType === undefined ? 3 : undefined,
      field: options.field,
    };
  }

  /** Sends one case; the answer and whatever is wrong with it (nothing when it keeps the contract). */
  async function answer(c: Case) {
    const r = await t.app.inject({ method: c.method as any, url: c.url, headers: c.headers, payload: c.payload });
    const problems = problemsWith(c, r.statusCode, r.headers, r.body);
    let json: any;
    try {
      json = JSON.parse(r.body);
    } catch {
      json = undefined;
    }
    const message = String(json?.error?.message ?? json?.message ?? '');
    return { status: r.statusCode, json, message, size: r.body.length, problems: problems.map((p) => `${c.label}: ${p}`) };
  }

  /** Refused for its depth, in the surface's format: 400 INVALID_ARGUMENT naming `body` (problemsWith checks that). */
  async function expectRefusedAsTooDeep(s: Surface, c: Case) {
    const r = await answer(c);
    expect(r.problems).toEqual([]);
    if (s.name === 'Zenoti path') return; // no route: 404 or 400, in Zenoti's envelope either way
    expect([r.status, r.message]).toEqual([400, expect.stringContaining('32 levels')]);
    if (s.connect) expect(r.json.code).toBe('invalid_argument');
  }

  it('draws the line between 32 and 33 levels on every surface, for arrays, objects and both', async () => {
    const before = await snapshot();
    for (const s of SURFACES) {
      for (const kinds of [['array'], ['object'], ['array', 'object']] as Kind[][]) {
        await expectRefusedAsTooDeep(s, surfaceCase(s, `33 levels of ${kinds}`, (c) => deepBody(s, c, 33, kinds, 'extra'), true, { field: 'body' }));
        await expectRefusedAsTooDeep(s, surfaceCase(s, `33 levels of ${kinds} as the body`, (c) => deepBody(s, c, 33, kinds, 'whole'), true, { field: 'body' }));
        const at32 = await answer(surfaceCase(s, `32 levels of ${kinds}`, (c) => deepBody(s, c, 32, kinds, 'extra'), false));
        expect(at32.problems).toEqual([]);
        expect(at32.message).not.toContain('levels');
        if (s.acceptsExtra) expect(at32.status).toBe(200);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses any nesting past 32 levels (up to 100,000) in the body, an extra field or a typed one, with a 400', async () => {
    const before = await snapshot();
    const depth = fc.oneof(fc.integer({ min: 33, max: 400 }), fc.constantFrom(33, 5_000, 100_000));
    const placement = fc.constantFrom<Placement>('whole', 'extra', 'typed');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SURFACES), depth, KINDS, placement, async (s, levels, kinds, where) => {
        const place = where === 'typed' && !s.typed ? 'extra' : where;
        const c = surfaceCase(s, `${levels} levels of ${kinds} as ${place}`, (t) => deepBody(s, t, levels, kinds, place), true, { field: 'body' });
        await expectRefusedAsTooDeep(s, c);
      }),
      { seed: SEED, numRuns: 40 },
    );
    expect(await snapshot()).toEqual(before);
  });

  it('reads a body of 32 levels or fewer as usual: extra depth is accepted, a deep typed field is refused as that field', async () => {
    const depth = fc.oneof(fc.constant(32), fc.integer({ min: 2, max: 32 }));
    const typed = SURFACES.filter((s) => s.typed);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...typed), depth, KINDS, fc.boolean(), async (s, levels, kinds, inTyped) => {
        const c = inTyped
          ? surfaceCase(s, `${levels} levels in ${s.typed}`, (t) => deepBody(s, t, levels, kinds, 'typed'), true, { field: s.typed })
          : surfaceCase(s, `${levels} levels in an extra field`, (t) => deepBody(s, t, levels, kinds, 'extra'), false);
        const r = await answer(c);
        expect(r.problems).toEqual([]);
        expect(r.message).not.toContain('levels');
        if (!inTyped && s.acceptsExtra) expect(r.status).toBe(200);
        if (inTyped && s.connect) expect(r.json.code).toBe('invalid_argument');
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('refuses a \\u0000 escape in a string or a key at any depth up to 32, and reads \\\\u0000 as text', async () => {
    const before = await snapshot();
    const bodied = SURFACES.filter((s) => s.name !== 'Zenoti path');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...bodied), fc.integer({ min: 1, max: 31 }), KINDS, fc.boolean(), SNIPPET, SNIPPET, async (s, levels, kinds, inKey, pre, post) => {
        const core = (middle: string) => (inKey ? `{${literal(pre, middle, post)}:1}` : literal(pre, middle, post));
        const nul = await answer(surfaceCase(s, `\\u0000 ${levels} levels down`, (t) => deepBody(s, t, levels, kinds, 'extra', core('\\u0000')), true, { field: 'body' }));
        expect(nul.problems).toEqual([]);
        expect(nul.message).toContain('NUL');
        if (s.connect) expect(nul.json.code).toBe('invalid_argument');
        // An escaped backslash followed by "u0000" is six characters of text, not a NUL.
        const text = await answer(surfaceCase(s, `\\\\u0000 ${levels} levels down`, (t) => deepBody(s, t, levels, kinds, 'extra', core('\\\\u0000')), false));
        expect(text.problems).toEqual([]);
        expect(text.message).not.toContain('NUL');
        if (s.acceptsExtra) expect(text.status).toBe(200);
      }),
      { seed: SEED, numRuns: 40 },
    );
    const stored = await b.call('PUT', '/customers/cus_backslash', { firstName: 'a\\u0000b', lastName: 'c' });
    expect([stored.status, stored.json.firstName]).toEqual([200, 'a\\u0000b']);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a list of up to 200,000 items (within 1 MB) where a short one belongs, with a short answer', async () => {
    const before = await snapshot();
    const listed = SURFACES.filter((s) => s.list);
    const item = fc.constantFrom('1', '"a"', '{}', 'null', 'true', '[]');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...listed), fc.integer({ min: 100_000, max: 200_000 }), item, fc.constantFrom('list', 'body'), async (s, count, one, where) => {
        const items = `[${new Array<string>(count).fill(one).join(',')}]`;
        const body = (t: TestCompany) => (where === 'body' ? items : `{${s.fields(t)},"${s.list}":${items}}`);
        const c = surfaceCase(s, `${count} × ${one} as the ${where === 'body' ? 'body' : s.list}`, body, true, { field: where === 'body' ? 'body' : s.list });
        expect(c.payload!.length).toBeLessThan(1024 * 1024);
        const r = await answer(c);
        expect(r.problems).toEqual([]);
        expect(r.size).toBeLessThan(32 * 1024);
      }),
      { seed: SEED, numRuns: 8 },
    );
    // The same list in a field the route does not read is no error, and no 5xx.
    const extra = await answer(surfaceCase(SURFACES[0]!, '200,000 items in an extra field', (t) => `{${SURFACES[0]!.fields(t)},"deep":[${new Array(200_000).fill(1).join(',')}]}`, false));
    expect([extra.problems, extra.status]).toEqual([[], 200]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses truncated JSON, shallow or deep, with a 400', async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SURFACES), fc.oneof(fc.integer({ min: 1, max: 32 }), fc.constantFrom(5_000, 100_000)), KINDS, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), async (s, levels, kinds, at) => {
        const c = surfaceCase(s, `${levels} levels cut at ${at.toFixed(3)}`, (t) => {
          const whole = deepBody(s, t, levels, kinds, 'extra');
          return whole.slice(0, Math.floor(whole.length * at));
        }, true);
        const r = await answer(c);
        expect(r.problems).toEqual([]);
        if (s.name !== 'Zenoti path') expect(r.status).toBe(400);
      }),
      { seed: SEED, numRuns: 40 },
    );
    expect(await snapshot()).toEqual(before);
  });

  it('refuses deep, huge or NUL-carrying bodies sent under any other content type, never with a 5xx', async () => {
    const before = await snapshot();
    const contentType = fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json; charset=utf-16',
      'application/json;charset=latin1',
      'APPLICATION/JSON',
      'application/vnd.api+json',
      'application/jsonx',
      'application/connect+json',
      'application/grpc+json',
      '',
    );
    const bodies: Record<string, (s: Surface, t: TestCompany) => string> = {
      deep: (s, t) => deepBody(s, t, 5_000, ['array', 'object'], 'extra'),
      huge: () => `[${new Array(150_000).fill('"a"').join(',')}]`,
      nul: (s, t) => deepBody(s, t, 8, ['object'], 'extra', '"\\u0000"'),
    };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SURFACES), contentType, fc.constantFrom(...Object.keys(bodies)), async (s, type, kind) => {
        const r = await answer(surfaceCase(s, `a ${kind} body as ${JSON.stringify(type)}`, (t) => bodies[kind]!(s, t), true, { contentType: type }));
        expect(r.problems).toEqual([]);
      }),
      { seed: SEED, numRuns: 40 },
    );
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect(await snapshot()).toEqual(before);
  });

  it('still serves well-formed requests afterwards', async () => {
    expect((await a.call('GET', '/customers/cus_seed')).status).toBe(200);
    expect((await a.call('PUT', '/customers/cus_after', { firstName: 'After', lastName: 'Fuzz' })).status).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});
