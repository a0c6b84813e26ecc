// The WebhookSender port over Node's fetch (undici): one POST per attempt, never followed through a redirect,
// cut at the timeout, and whatever goes wrong comes back as an answer with a short reason, never a throw.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { WebhookAnswer, WebhookDelivery, WebhookSender } from '../../application/ports.js';

/** How much of an answer's body is kept: the receiver chooses its size, so the rest is never read. */
export const ANSWER_BODY_LIMIT_BYTES = 1024;

export interface HttpSenderOptions {
  /**
   * Attempts in flight to one origin (scheme, host, port) at a time; the others wait, within their own timeout.
   * undici's global dispatcher keeps connections alive per origin but opens as many as there are requests,
   * and Node 20 does not expose its Agent (a `connections` limit would need the undici package), so the bound
   * is kept here: with at most this many requests in flight, its pool needs no more connections (but for the
   * spare idle one undici 6 opens after a response cut mid-body, nodejs/undici#5845, which the next attempt reuses).
   */
  readonly maxConnectionsPerOrigin?: number;
}

/** A sender over the process's keep-alive connection pool. */
export function createHttpSender(options: HttpSenderOptions = {}): WebhookSender {
  const slots = new OriginSlots(Math.max(1, Math.floor(options.maxConnectionsPerOrigin ?? 8)));
  return { send: (delivery) => send(delivery, slots) };
}

async function send(delivery: WebhookDelivery, slots: OriginSlots): Promise<WebhookAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const target = parseTarget(delivery.url);
  if (typeof target === 'string') return noAnswer(target, elapsed());
  const { timeoutMs } = delivery;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) return noAnswer('invalid timeout', elapsed());

  // One timer for the whole attempt (a wait for a connection slot, connect, headers, body), cleared on the way
  // out so nothing outlives the answer; aborting makes undici destroy the socket.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let phase: 'queued' | 'sending' = 'queued';
  let release: (() => void) | undefined;
  try {
    release = await slots.acquire(target.origin, controller.signal);
    phase = 'sending';
    const response = await fetch(target, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
      redirect: 'manual',
      signal: controller.signal,
    });
    const retryAfter = response.status === 429 || response.status === 503 ? retryAfterMs(response.headers.get('retry-after'), Date.now()) : null;
    // The status is the answer; a body cut by the timeout still leaves what had arrived.
    const body = await readPrefix(response.body, ANSWER_BODY_LIMIT_BYTES);
    // undici hands a finished connection back to its pool a turn after the body ends; an attempt sent in
    // between (the next in line for this slot, or the caller's next) would open a second connection.
    await nextTurn();
    return { status: response.status, durationMs: elapsed(), error: '', body, retryAfterMs: retryAfter };
  } catch (err) {
    if (controller.signal.aborted) {
      const reason = phase === 'queued' ? ` waiting for a free connection to ${target.origin}` : '';
      return noAnswer(`timed out after ${timeoutMs} ms${reason}`, elapsed());
    }
    return noAnswer(describeFailure(err, target), elapsed());
  } finally {
    clearTimeout(timer);
    release?.();
  }
}

function noAnswer(error: string, durationMs: number): WebhookAnswer {
  return { status: 0, durationMs, error, body: '', retryAfterMs: null };
}

function parseTarget(url: string): URL | string {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return 'invalid URL';
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return `unsupported URL scheme "${target.protocol}" (only http and https)`;
  // fetch refuses them, and its message would repeat them.
  if (target.username !== '' || target.password !== '') return 'URLs with credentials are not supported';
  return target;
}

/** Reads at most `limit` bytes as UTF-8 text (a character cut at the limit is dropped), then lets the stream go. */
async function readPrefix(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (body === null) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let taken = 0;
  try {
    while (taken < limit) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      const part = value.byteLength > limit - taken ? value.subarray(0, limit - taken) : value;
      taken += part.byteLength;
      text += decoder.decode(part, { stream: true });
    }
    return text;
  } catch {
    return text; // aborted or reset mid-body: the answer's status stands
  } finally {
    // Cancelling a stream that is not done closes its connection instead of draining it.
    reader.cancel().catch(() => undefined);
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = MONTHS.join('|');
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) (${MONTH}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`);
const RFC_850 = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-(${MONTH})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`);
const ASCTIME = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MONTH}) ([ \\d]\\d) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$`);

/**
 * A Retry-After value (RFC 9110 §10.2.3: delay-seconds or an HTTP-date, in any of its three forms) as
 * milliseconds from `nowMs`; a date already past is 0; null when absent or unreadable.
 */
export function retryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) {
    const ms = Number(v) * 1000;
    return Number.isSafeInteger(ms) ? ms : null;
  }
  const at = httpDate(v, nowMs);
  return at === null ? null : Math.max(0, at - nowMs);
}

function httpDate(v: string, nowMs: number): number | null {
  let m: RegExpExecArray | null;
  if ((m = IMF_FIXDATE.exec(v))) return utc(+m[3]!, m[2]!, +m[1]!, +m[4]!, +m[5]!, +m[6]!);
  if ((m = ASCTIME.exec(v))) return utc(+m[6]!, m[1]!, +m[2]!.trim(), +m[3]!, +m[4]!, +m[5]!);
  if ((m = RFC_850.exec(v))) {
    // A two-digit year more than 50 years ahead is the most recent past year with those digits (RFC 9110 §5.6.7).
    const thisYear = new Date(nowMs).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + +m[3]!;
    if (year > thisYear + 50) year -= 100;
    return utc(year, m[2]!, +m[1]!, +m[4]!, +m[5]!, +m[6]!);
  }
  return null;
}

function utc(year: number, month: string, day: number, hour: number, minute: number, second: number): number | null {
  const monthIndex = MONTHS.indexOf(month);
  if (hour > 23 || minute > 59 || second > 60) return null;
  const at = Date.UTC(year, monthIndex, day, hour, minute, Math.min(second, 59));
  // Date.UTC rolls 31 Feb over into March: such a date is unreadable, not another day.
  return new Date(at).getUTCDate() === day ? at : null;
}

// fetch rejects with TypeError('fetch failed') whose cause (sometimes an AggregateError, when several addresses
// were tried) carries the system or undici code. Only the code is used: messages may repeat headers or the URL.
const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection closed before the answer',
  UND_ERR_CLOSED: 'connection closed before the answer',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  EAI_FAIL: 'host lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  ETIMEDOUT: 'connect timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the answer',
  UND_ERR_BODY_TIMEOUT: 'timed out reading the answer',
  UND_ERR_HEADERS_OVERFLOW: 'answer headers too large',
  UND_ERR_INVALID_ARG: 'invalid request',
  UND_ERR_NOT_SUPPORTED: 'invalid request',
  ERR_INVALID_CHAR: 'invalid header value',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted (self-signed)',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted (self-signed in chain)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted (unknown issuer)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS certificate not trusted (unknown issuer)',
  EPROTO: 'TLS handshake failed',
};

function describeFailure(err: unknown, target: URL): string {
  const code = errorCode(err);
  if (code === undefined) {
    // Two fixed messages worth telling apart; any other message is never repeated.
    const message = err instanceof Error ? err.message : '';
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
    if (cause === 'bad port') return `port ${target.port} is one fetch refuses to connect to`;
    if (message.startsWith('Headers.')) return 'invalid request header';
    return err instanceof Error && err.name !== 'TypeError' && err.name !== 'Error' ? `request failed (${err.name})` : 'request failed';
  }
  const known = REASONS[code];
  if (known !== undefined) return known;
  if (code.startsWith('HPE_')) return `invalid HTTP answer (${code})`;
  if (code.startsWith('ERR_SSL_') || code.includes('CERT')) return `TLS error (${code})`;
  return `request failed (${code})`;
}

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    e = e instanceof AggregateError && e.errors.length > 0 ? e.errors[0] : (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Counts attempts in flight per origin and queues the rest, first come first served. */
class OriginSlots {
  private readonly origins = new Map<string, { active: number; readonly waiting: (() => void)[] }>();

  constructor(private readonly max: number) {}

  /** Resolves with the slot's release once one is free; rejects when the signal aborts first. */
  acquire(origin: string, signal: AbortSignal): Promise<() => void> {
    let entry = this.origins.get(origin);
    if (entry === undefined) {
      entry = { active: 0, waiting: [] };
      this.origins.set(origin, entry);
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.release(origin);
    };
    if (entry.active < this.max) {
      entry.active++;
      return Promise.resolve(release);
    }
    const queue = entry.waiting;
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(release);
      };
      const onAbort = () => {
        const i = queue.indexOf(grant);
        if (i >= 0) queue.splice(i, 1);
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      queue.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(origin: string): void {
    const entry = this.origins.get(origin);
    if (entry === undefined) return;
    const next = entry.waiting.shift();
    if (next !== undefined) next(); // the slot passes on, still counted
    else if (--entry.active === 0) this.origins.delete(origin);
  }
}
