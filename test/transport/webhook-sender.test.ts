// Webhook delivery's outbound HTTP: Standard Webhooks signatures as receivers' library checks them, and the
// sender against a real receiver on loopback.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { WebhookAnswer, WebhookDelivery } from '../../src/application/ports.js';
import { createHttpSender, retryAfterMs } from '../../src/transport/webhooks/http-sender.js';
import { signatureHeaders } from '../../src/transport/webhooks/signature.js';
import { newWebhookSecret } from '../../src/application/webhook-endpoints.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const BODY = JSON.stringify({ type: 'package.redeemed', timestamp: '2026-03-10T15:00:00.000Z', data: { companyId: 'cmp_1', packageId: 'pkg_1' } });

function delivery(url: string, options: { secrets?: readonly string[]; body?: string; timeoutMs?: number; id?: string } = {}): WebhookDelivery {
  const body = options.body ?? BODY;
  const signed = signatureHeaders(options.secrets ?? [SECRET], options.id ?? 'msg_01JQ5Y0S9V3T4W', nowSeconds(), body);
  return { url, headers: { 'content-type': 'application/json', ...signed }, body, timeoutMs: options.timeoutMs ?? 5000 };
}
const SECRET = newWebhookSecret();

/** A failure is an answer with status 0 and a reason that repeats neither the secret nor the body. */
function expectNoAnswer(answer: WebhookAnswer, error: string | RegExp): void {
  expect(answer).toMatchObject({ status: 0, body: '', retryAfterMs: null });
  if (typeof error === 'string') expect(answer.error).toBe(error);
  else expect(answer.error).toMatch(error);
  expect(answer.error).not.toContain(SECRET.slice(6));
  expect(answer.error).not.toContain('package.redeemed');
}

describe('Standard Webhooks signatures', () => {
  it('makes secrets of "whsec_" and the base64 of 32 random bytes', () => {
    const a = newWebhookSecret();
    const b = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('signs so that the standardwebhooks library verifies it, with the very signature it computes itself', () => {
    const ts = nowSeconds();
    const headers = signatureHeaders([SECRET], 'msg_1', ts, BODY);
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-signature']).toBe(new Webhook(SECRET).sign('msg_1', new Date(ts * 1000), BODY));
    expect(new Webhook(SECRET).verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
  });

  it('signs with both secrets during a rotation, so a receiver that knows only one of them verifies', () => {
    const [oldSecret, newSecret, otherSecret] = [newWebhookSecret(), newWebhookSecret(), newWebhookSecret()];
    const headers = { ...signatureHeaders([oldSecret, newSecret], 'msg_2', nowSeconds(), BODY) };
    const signatures = headers['webhook-signature'].split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures.every((s) => /^v1,[A-Za-z0-9+/]{43}=$/.test(s))).toBe(true);
    expect(new Webhook(oldSecret).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(new Webhook(newSecret).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(otherSecret).verify(BODY, headers)).toThrow('No matching signature found');
  });

  it('signs a body with unicode as the UTF-8 bytes that are sent', () => {
    const body = JSON.stringify({ name: 'Zoë’s 🐕 犬 grooming', note: 'café\u00a0crème' });
    const headers = { ...signatureHeaders([SECRET], 'msg_3', nowSeconds(), body) };
    expect(new Webhook(SECRET).verify(Buffer.from(body, 'utf8'), headers)).toEqual(JSON.parse(body));
  });

  it('refuses a tampered body, id or timestamp', () => {
    const ts = nowSeconds();
    const headers = { ...signatureHeaders([SECRET], 'msg_4', ts, BODY) };
    const verify = new Webhook(SECRET);
    expect(() => verify.verify(BODY.replace('pkg_1', 'pkg_2'), headers)).toThrow('No matching signature found');
    expect(() => verify.verify(BODY, { ...headers, 'webhook-id': 'msg_5' })).toThrow('No matching signature found');
    expect(() => verify.verify(BODY, { ...headers, 'webhook-timestamp': String(ts - 1) })).toThrow('No matching signature found');
  });

  it('puts whole Unix seconds in webhook-timestamp and refuses milliseconds or fractions', () => {
    expect(signatureHeaders([SECRET], 'msg_6', 1_773_154_800, BODY)['webhook-timestamp']).toBe('1773154800');
    expect(() => signatureHeaders([SECRET], 'msg_6', 1_773_154_800_000, BODY)).toThrow('whole Unix seconds');
    expect(() => signatureHeaders([SECRET], 'msg_6', 1_773_154_800.5, BODY)).toThrow('whole Unix seconds');
  });

  it('refuses what would sign ambiguously or with another key than the receiver derives, never repeating the secret', () => {
    expect(() => signatureHeaders([], 'msg_7', nowSeconds(), BODY)).toThrow('at least one secret');
    expect(() => signatureHeaders([SECRET], 'msg.7', nowSeconds(), BODY)).toThrow('without "."');
    const bad = ['dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTIzNA==', 'whsec_c2hvcnQ=', 'whsec_not*base64!', `whsec_${'A'.repeat(96)}`];
    for (const secret of bad) {
      expect(() => signatureHeaders([SECRET, secret], 'msg_7', nowSeconds(), BODY)).toThrow(/webhook secret #2/);
      try {
        signatureHeaders([secret], 'msg_7', nowSeconds(), BODY);
      } catch (err) {
        expect((err as Error).message).not.toContain(secret.replace('whsec_', ''));
      }
    }
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-03-10T15:00:00Z');

  it('reads delay-seconds and the three forms of an HTTP date as milliseconds from now', () => {
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs(' 120 ', now)).toBe(120_000);
    expect(retryAfterMs('Tue, 10 Mar 2026 15:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Tuesday, 10-Mar-26 15:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('Tue Mar 10 15:00:05 2026', now)).toBe(5000);
    expect(retryAfterMs('Tue Mar  3 15:00:00 2026', now)).toBe(0);
  });

  it('answers 0 for a date already past and null for what cannot be read', () => {
    expect(retryAfterMs('Mon, 09 Mar 2026 15:00:00 GMT', now)).toBe(0);
    for (const value of [null, '', 'soon', '1.5', '-3', 'Tue, 31 Feb 2026 15:00:00 GMT', '2026-03-10T15:00:30Z', 'Tue, 10 Mar 2026 15:00:30 PST']) {
      expect(retryAfterMs(value, now)).toBeNull();
    }
  });
});

describe('the HTTP sender against a receiver', () => {
  let receiver: WebhookReceiver;
  const others: WebhookReceiver[] = [];
  const sender = createHttpSender();

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => {
    await Promise.all([receiver, ...others.splice(0)].map((r) => r.close()));
  });

  it('POSTs the given headers and body and answers the 2xx with its body and time', async () => {
    receiver.respond(() => ({ status: 202, body: 'accepted' }));
    const answer = await sender.send(delivery(receiver.url));
    expect(answer).toMatchObject({ status: 202, error: '', body: 'accepted', retryAfterMs: null });
    expect(answer.durationMs).toBeGreaterThanOrEqual(0);
    expect(answer.durationMs).toBeLessThan(2000);
    const [request] = receiver.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/hooks', body: BODY });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['webhook-id']).toBe('msg_01JQ5Y0S9V3T4W');
    expect(receiver.verify(request!, SECRET)).toEqual(JSON.parse(BODY));
  });

  it('sends a webhook-timestamp in seconds of the attempt that the receiver accepts', async () => {
    const before = nowSeconds();
    await sender.send(delivery(receiver.url));
    const timestamp = receiver.requests[0]!.headers['webhook-timestamp']!;
    expect(timestamp).toMatch(/^\d{10}$/);
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(nowSeconds());
  });

  it('delivers a unicode body that the receiver verifies, with either secret of a rotation', async () => {
    const body = JSON.stringify({ type: 'package.sold', data: { customer: 'Zoë 🐕', business: '犬の美容室' } });
    const [oldSecret, newSecret] = [newWebhookSecret(), newWebhookSecret()];
    await sender.send(delivery(receiver.url, { body, secrets: [oldSecret, newSecret] }));
    const [request] = receiver.requests;
    expect(request!.body).toBe(body);
    expect(request!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(receiver.verify(request!, oldSecret)).toEqual(JSON.parse(body));
    expect(receiver.verify(request!, newSecret)).toEqual(JSON.parse(body));
    expect(() => receiver.verify(request!, SECRET)).toThrow('No matching signature found');
  });

  it('keeps only the first 1 KB of a long answer', async () => {
    receiver.respond(() => ({ status: 500, body: 'e'.repeat(5000) }));
    const answer = await sender.send(delivery(receiver.url));
    expect(answer).toMatchObject({ status: 500, error: '', body: 'e'.repeat(1024), retryAfterMs: null });
  });

  it('cuts 1 KB of UTF-8 between characters, never inside one', async () => {
    receiver.respond(() => ({ status: 400, body: 'x' + 'é'.repeat(1000) }));
    const answer = await sender.send(delivery(receiver.url));
    expect(answer.body).toBe('x' + 'é'.repeat(511));
    expect(Buffer.byteLength(answer.body)).toBe(1023);
  });

  it('answers 410 as it came', async () => {
    receiver.respond(() => ({ status: 410, body: 'gone' }));
    expect(await sender.send(delivery(receiver.url))).toMatchObject({ status: 410, error: '', body: 'gone', retryAfterMs: null });
  });

  it('does not follow a redirect: the 302 is the answer and its target receives nothing', async () => {
    const target = await startWebhookReceiver();
    others.push(target);
    receiver.respond(() => ({ status: 302, location: target.url }));
    const answer = await sender.send(delivery(receiver.url));
    expect(answer).toMatchObject({ status: 302, error: '' });
    await new Promise((r) => setTimeout(r, 200));
    expect(target.requests).toHaveLength(0);
    expect(receiver.requests).toHaveLength(1);
  });

  it('reads Retry-After of a 429 in seconds and of a 503 as a date, and ignores it on other statuses', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    receiver.respond((_, n) => (n === 1 ? { status: 429, retryAfter: '2' } : n === 2 ? { status: 503, retryAfter: at } : n === 3 ? { status: 500, retryAfter: '2' } : { status: 429, retryAfter: 'later' }));
    expect(await sender.send(delivery(receiver.url))).toMatchObject({ status: 429, retryAfterMs: 2000 });
    const byDate = await sender.send(delivery(receiver.url));
    expect(byDate.status).toBe(503);
    expect(byDate.retryAfterMs).toBeGreaterThan(28_000);
    expect(byDate.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(await sender.send(delivery(receiver.url))).toMatchObject({ status: 500, retryAfterMs: null });
    expect(await sender.send(delivery(receiver.url))).toMatchObject({ status: 429, retryAfterMs: null });
  });

  it('gives up on a receiver that never answers at the timeout, and lets its connection go', async () => {
    receiver.respond(() => ({ hang: true }));
    const started = performance.now();
    const answer = await sender.send(delivery(receiver.url, { timeoutMs: 500 }));
    const took = performance.now() - started;
    expectNoAnswer(answer, 'timed out after 500 ms');
    expect(took).toBeGreaterThanOrEqual(490);
    expect(took).toBeLessThan(500 + 300);
    expect(answer.durationMs).toBeGreaterThanOrEqual(490);
    expect(receiver.requests).toHaveLength(1);
    await receiver.waitForNoConnections(1000);
  });

  it('answers "connection refused" when nothing listens', async () => {
    const url = receiver.url;
    await receiver.close();
    const answer = await sender.send(delivery(url));
    expectNoAnswer(answer, 'connection refused');
    expect(answer.durationMs).toBeLessThan(2000);
  });

  it('answers a connection dropped before the answer as a failure', async () => {
    receiver.respond(() => ({ reset: true }));
    expectNoAnswer(await sender.send(delivery(receiver.url)), /^connection (reset|closed before the answer)$/);
  });

  it('answers a URL that is not http or https with status 0 and never sends it', async () => {
    const cases: [string, RegExp][] = [
      [`ftp://127.0.0.1:${receiver.port}/hooks`, /unsupported URL scheme "ftp:"/],
      ['file:///etc/passwd', /unsupported URL scheme "file:"/],
      ['javascript:alert(1)', /unsupported URL scheme "javascript:"/],
      ['not a url', /^invalid URL$/],
      [`http://user:pass@127.0.0.1:${receiver.port}/hooks`, /credentials are not supported/],
    ];
    for (const [url, error] of cases) expectNoAnswer(await sender.send(delivery(url)), error);
    expect(receiver.requests).toHaveLength(0);
  });

  it('stops reading an endless answer after 1 KB and closes the connection that carried it', async () => {
    receiver.respond(() => ({ status: 200, endless: true }));
    const started = performance.now();
    const answer = await sender.send(delivery(receiver.url, { timeoutMs: 10_000 }));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(answer).toMatchObject({ status: 200, error: '', body: 'x'.repeat(1024) });
    // Only that one: undici (Node 20's 6.x) opens a spare idle connection after a response cut mid-body
    // (nodejs/undici#5845); it is unref'd and the next attempt to the origin reuses it.
    await receiver.waitForConnectionClosed(receiver.requests[0]!, 2000);
  });

  it('reuses one kept-alive connection for attempts one after another', async () => {
    for (let i = 0; i < 3; i++) expect((await sender.send(delivery(receiver.url))).status).toBe(200);
    expect(receiver.acceptedConnections()).toBe(1);
  });

  it('keeps at most the configured connections open to one origin, while another origin is not held up', async () => {
    const limited = createHttpSender({ maxConnectionsPerOrigin: 2 });
    receiver.respond(() => ({ status: 200, delayMs: 150 }));
    const other = await startWebhookReceiver();
    others.push(other);
    const slow = Array.from({ length: 6 }, () => limited.send(delivery(receiver.url)));
    const quick = await limited.send(delivery(other.url));
    expect(quick.status).toBe(200);
    expect(quick.durationMs).toBeLessThan(150);
    expect((await Promise.all(slow)).map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(receiver.maxOpenConnections()).toBe(2);
  });

  it('counts a wait for a connection to a busy origin within the timeout', async () => {
    const limited = createHttpSender({ maxConnectionsPerOrigin: 1 });
    receiver.respond(() => ({ hang: true }));
    const first = limited.send(delivery(receiver.url, { timeoutMs: 600 }));
    const second = await limited.send(delivery(receiver.url, { timeoutMs: 200 }));
    expectNoAnswer(second, `timed out after 200 ms waiting for a free connection to http://127.0.0.1:${receiver.port}`);
    expectNoAnswer(await first, 'timed out after 600 ms');
    expect(receiver.requests).toHaveLength(1);
  });

  it.each([
    ['never answers', { hang: true }, 300],
    // A timer left behind would hold this child for the rest of the 5 s.
    ['streams an endless answer', { status: 200, endless: true }, 5000],
  ] as const)('leaves nothing that keeps a process alive after a receiver that %s', async (_, reply, timeoutMs) => {
    receiver.respond(() => reply);
    const senderModule = new URL('../../src/transport/webhooks/http-sender.ts', import.meta.url).href;
    // The child sends once and then has nothing left to do: it exits by itself only if no socket or timer holds it.
    const script = `
      const { createHttpSender } = await import(${JSON.stringify(senderModule)});
      const answer = await createHttpSender().send({ url: ${JSON.stringify(receiver.url)}, headers: {}, body: 'x', timeoutMs: ${timeoutMs} });
      const answered = performance.now();
      process.on('exit', () => console.log(JSON.stringify({ answer, exitAfterMs: performance.now() - answered })));
    `;
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    const { error, stdout } = await new Promise<{ error: Error | null; stdout: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd, timeout: 15_000 }, (err, out) => resolve({ error: err, stdout: out }));
    });
    expect(error).toBeNull();
    const result = JSON.parse(stdout.trim()) as { answer: WebhookAnswer; exitAfterMs: number };
    if ('hang' in reply) expectNoAnswer(result.answer, 'timed out after 300 ms');
    else expect(result.answer).toMatchObject({ status: 200, error: '', body: 'x'.repeat(1024) });
    expect(result.exitAfterMs).toBeLessThan(1000);
  });
});
