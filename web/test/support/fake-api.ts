// A fake native API behind a stubbed fetch: routes answer JSON, and every call is recorded for assertions.
import { vi } from 'vitest';

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: any;
  headers: Record<string, string>;
}

export interface Answer {
  status?: number;
  json?: unknown;
  /** Reject like a dropped connection. */
  networkError?: boolean;
  /** A body that is not JSON (a CSV file), sent as it is with this content type. */
  text?: string;
  contentType?: string;
  /** More response headers (content-disposition…). */
  headers?: Record<string, string>;
}

type Handler = (call: Call, match: RegExpMatchArray) => Answer | Promise<Answer>;

export interface FakeApi {
  calls: Call[];
  on(method: string, path: RegExp | string, handler: Handler | object): FakeApi;
  /** Calls of one method whose path matches. */
  find(method: string, path: RegExp | string): Call[];
}

export const rpcError = (status: number, code: number, message: string, reason = ''): Answer => ({
  status,
  json: {
    code,
    message,
    details: reason ? [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'punchcard', metadata: {} }] : [],
  },
});

const matches = (path: string, pattern: RegExp | string) => (typeof pattern === 'string' ? (path === pattern ? [path] : null) : path.match(pattern));

export function installFakeApi(): FakeApi {
  const routes: { method: string; pattern: RegExp | string; handler: Handler }[] = [];
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    // The generated client sends a Request; older callers a URL and init.
    const request = input instanceof Request ? input : null;
    const url = new URL(request ? request.url : String(input), 'http://localhost');
    const method = (request?.method ?? init.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    if (request) request.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
    else for (const [k, v] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[k.toLowerCase()] = v;
    // JSON bodies are parsed; anything else (a file sent as text/csv) is kept as its text.
    const json = !headers['content-type'] || headers['content-type'].includes('json');
    const raw = request ? (method === 'GET' || method === 'HEAD' ? '' : await request.text()) : init.body;
    const body = raw ? (json && typeof raw === 'string' ? JSON.parse(raw) : raw) : undefined;
    const call: Call = { method, path: decodeURIComponent(url.pathname), query: url.searchParams, body, headers };
    calls.push(call);
    // Newest route first, so a test can override a default.
    for (let i = routes.length - 1; i >= 0; i--) {
      const r = routes[i]!;
      const m = r.method === method ? matches(call.path, r.pattern) : null;
      if (!m) continue;
      const answer = await r.handler(call, m as RegExpMatchArray);
      if (answer.networkError) throw new TypeError('Failed to fetch');
      return new Response(answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json)), {
        status: answer.status ?? 200,
        headers: { 'content-type': answer.contentType ?? 'application/json', ...answer.headers },
      });
    }
    return new Response(JSON.stringify({ code: 5, message: `no route ${method} ${call.path}`, details: [] }), { status: 404 });
  });
  vi.stubGlobal('fetch', fetchMock);
  const api: FakeApi = {
    calls,
    on(method, pattern, handler) {
      routes.push({ method, pattern, handler: typeof handler === 'function' ? (handler as Handler) : () => ({ json: handler }) });
      return api;
    },
    find: (method, pattern) => calls.filter((c) => c.method === method && matches(c.path, pattern)),
  };
  return api;
}

/** The refusal of an import: 400 INVALID_ARGUMENT with a google.rpc.BadRequest naming each bad line. */
export const badRequest = (fieldViolations: { field: string; description: string }[], message = 'the file has bad rows'): Answer => ({
  status: 400,
  json: { code: 3, message, details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations }] },
});

/** A file the API streams (an export), with the name it suggests. */
export const fileAnswer = (text: string, filename: string, contentType = 'text/csv; charset=utf-8'): Answer => ({
  text,
  contentType,
  headers: { 'content-disposition': `attachment; filename="${filename}"` },
});

/** What a body sent as a file (a Blob or a string) holds. */
export async function bodyText(body: unknown): Promise<string> {
  if (typeof body === 'string') return body;
  if (body && typeof (body as Blob).text === 'function') return (body as Blob).text();
  throw new Error(`not a file body: ${String(body)}`);
}
