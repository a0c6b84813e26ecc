// The Punchcard API from TypeScript: typed requests and answers for every operation of /openapi.json
// (openapi-typescript's types, openapi-fetch's calls), the key sent with each request, and the API's
// google.rpc.Status errors thrown as one typed error.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { paths, components, operations } from './schema.js';

/** google.rpc.Status as every native and MoeGo error answers it (API.md "Errors"). */
export interface Status {
  readonly code: number;
  readonly message: string;
  readonly details: readonly StatusDetail[];
}

export type StatusDetail =
  | { readonly '@type': 'type.googleapis.com/google.rpc.ErrorInfo'; readonly reason: string; readonly domain: string; readonly metadata: Readonly<Record<string, string>> }
  | { readonly '@type': 'type.googleapis.com/google.rpc.BadRequest'; readonly fieldViolations: readonly { readonly field: string; readonly description: string }[] }
  | { readonly '@type': string; readonly [key: string]: unknown };

/** An answer that is not a success: its HTTP status and the google.rpc.Status it carried. */
export class PunchcardError extends Error {
  override readonly name = 'PunchcardError';
  constructor(
    readonly httpStatus: number,
    readonly status: Status,
  ) {
    super(status.message);
  }

  /** The ErrorInfo reason (PACKAGE_FROZEN, INSUFFICIENT_BALANCE, RATE_LIMITED…), or undefined. */
  get reason(): string | undefined {
    const info = this.status.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo') as { reason?: string } | undefined;
    return info?.reason;
  }

  /** The fields a BadRequest names, each with why. */
  get fieldViolations(): readonly { field: string; description: string }[] {
    const bad = this.status.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.BadRequest') as
      | { fieldViolations?: { field: string; description: string }[] }
      | undefined;
    return bad?.fieldViolations ?? [];
  }

  /** Whether trying the same request again may succeed (the database away, a rate limit, a key in use). */
  get retryable(): boolean {
    return this.httpStatus === 503 || this.httpStatus === 429 || this.reason === 'IDEMPOTENCY_KEY_IN_USE';
  }
}

export interface ClientOptions {
  /** Where the server is, e.g. http://localhost:8080 (no trailing /v1). */
  readonly baseUrl: string;
  /** An API key (or a function answering the current one); sent as `Authorization: Bearer`. */
  readonly apiKey: string | (() => string | undefined);
  /** A fetch of your own (tests, proxies); default globalThis.fetch. */
  readonly fetch?: typeof fetch;
}

export type PunchcardClient = Client<paths>;

/** A client for every operation; `client.POST('/v1/companies/{companyId}/packages:sell', { params, body })`. */
export function createPunchcardClient(options: ClientOptions): PunchcardClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const auth: Middleware = {
    onRequest({ request }) {
      const key = typeof options.apiKey === 'function' ? options.apiKey() : options.apiKey;
      if (key && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${key}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/**
 * The headers of a mutation that moves balance or money, so that a retry with the same key changes nothing
 * (API.md: `:sell`, `:redeem`, `:commit`, `:release`, `:reverse`, `:cancel`, `:adjust`). Reuse the key when
 * retrying the same action after a lost answer; make a new one for a new action.
 */
export function idempotent(key: string = newIdempotencyKey()): { 'Idempotency-Key': string } {
  return { 'Idempotency-Key': key };
}

/** A fresh key: 128 random bits (getRandomValues works where randomUUID does not, outside a secure context). */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The answer's data, or the API's error thrown as a PunchcardError. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const status = isStatus(error) ? error : { code: 2, message: `HTTP ${response.status}`, details: [] };
  throw new PunchcardError(response.status, status);
}

function isStatus(value: unknown): value is Status {
  return typeof value === 'object' && value !== null && typeof (value as Status).message === 'string' && Array.isArray((value as Status).details);
}
