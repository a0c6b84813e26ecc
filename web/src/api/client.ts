// The desk's way to the API: the generated client (clients/typescript, typed from /openapi.json) with the
// signed-in key, a time limit on every call, and every failure as one ApiError.
import { createPunchcardClient, newIdempotencyKey as randomKey, unwrap, type PunchcardClient } from '@punchcard/client';
import { ApiError } from './errors';
import type { Download } from './types';

export { ApiError } from './errors';

/** A fresh idempotency key (crypto.randomUUID needs a secure context; a tablet on http://192.168… is not one). */
export function newIdempotencyKey(): string {
  return `web-${randomKey()}`;
}

export interface ApiOptions {
  key: string;
  companyId?: string;
  /** Where the API is; default this page's origin. */
  baseUrl?: string;
  /** A call with no answer after this long fails with TIMEOUT (default 20 s). */
  timeoutMs?: number;
  /** Told when the API says the key is not (or no longer) valid. */
  onUnauthenticated?: () => void;
}

export interface Api {
  /** Every operation of /openapi.json, typed: `api.http.GET('/v1/companies/{companyId}/…', { params })`. */
  readonly http: PunchcardClient;
  readonly companyId: string;
}

/**
 * A fetch that gives up after `timeoutMs` and turns a lost connection into an ApiError; a call the caller
 * cancelled (its signal aborted) rejects with the abort as it is, which is no error to show.
 */
export function withTimeout(timeoutMs: number): (request: Request) => Promise<Response> {
  return async (request) => {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    request.signal.addEventListener('abort', onAbort);
    try {
      // A fresh Request with our signal: the one given keeps the caller's signal, which cannot be combined here.
      return await globalThis.fetch(new Request(request, { signal: controller.signal }));
    } catch (error) {
      if (request.signal.aborted) throw error;
      throw timedOut ? ApiError.timeout() : ApiError.network();
    } finally {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onAbort);
    }
  };
}

export function createApi(options: ApiOptions): Api {
  const base = options.baseUrl ?? (typeof window === 'undefined' ? '' : window.location.origin);
  const http = createPunchcardClient({ baseUrl: base, apiKey: options.key, fetch: withTimeout(options.timeoutMs ?? 20_000) as typeof fetch });
  http.use({
    onResponse({ response }) {
      if (response.status === 401) options.onUnauthenticated?.();
      return undefined;
    },
  });
  return { http, companyId: options.companyId ?? '' };
}

/** The answer's data, or the failure as an ApiError. */
export async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  try {
    return await unwrap(request);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw ApiError.from(error);
  }
}

/** A query without its unset parameters (undefined or ''), which the API would read as given. */
export const withoutEmpty = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;

/** Every page of a list, for the small lists (businesses, catalog) a screen shows whole. */
export async function allPages<T>(page: (pageToken: string) => Promise<{ items: T[]; nextPageToken: string }>): Promise<T[]> {
  const out: T[] = [];
  let pageToken = '';
  for (let n = 0; n < 40; n++) {
    const r = await page(pageToken);
    out.push(...r.items);
    pageToken = r.nextPageToken;
    if (!pageToken) break;
  }
  return out;
}

/** The filename a Content-Disposition header suggests, or ''. */
function filenameOf(disposition: string | null): string {
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? '');
  if (!m?.[1]) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/**
 * A file answer (an export, asked for with `parseAs: 'blob'`), read whole. A body cut short (the server lost
 * its database halfway) is no file to save.
 */
export async function download(request: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<Download> {
  let answer: { data?: unknown; error?: unknown; response: Response };
  try {
    answer = await request;
  } catch (error) {
    if (error instanceof ApiError || (error instanceof DOMException && error.name === 'AbortError')) throw error;
    throw new ApiError(0, 'NETWORK', 'The download was cut short. Check the connection and try again.');
  }
  if (!answer.response.ok) await call(Promise.resolve(answer));
  return { blob: answer.data as Blob, serverFilename: filenameOf(answer.response.headers.get('content-disposition')) };
}

/** Who a key is (GET /v1/me): how the desk signs in, and checks a kept key again. */
export function whoIs(key: string, signal?: AbortSignal) {
  return call(createApi({ key }).http.GET('/v1/me', { signal }));
}
