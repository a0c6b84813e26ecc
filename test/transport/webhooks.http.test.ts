// Webhooks end to end on each engine: endpoints through the native API, messages written with the changes,
// a real receiver on loopback verifying Standard Webhooks signatures with the `standardwebhooks` package, and
// the dispatcher's retries, Retry-After, timeouts, 410, disabling, rotation, redelivery and Zenoti's format.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { makeFactory, type Factory, type Json } from '../support/factories.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { DEFAULT_DISPATCHER, startDispatcher, type Dispatcher, type DispatcherConfig } from '../../src/application/webhook-dispatcher.js';
import { sweepExpiringSoon } from '../../src/application/expiring-soon.js';
import { createHttpSender } from '../../src/transport/webhooks/http-sender.js';
import { signatureHeaders } from '../../src/transport/webhooks/signature.js';
import { webhookAttemptMetrics } from '../../src/transport/webhooks/metrics.js';

const SECOND = 1000;

describe.each(ENGINES)('webhooks on %s', (engine) => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let dispatcher: Dispatcher | undefined;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    // The receiver's library refuses signatures more than 5 minutes from its own clock: stand on today.
    t.clock.set(Date.now());
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = undefined;
    await receiver.close();
  });

  function dispatch(config: Partial<DispatcherConfig> = {}): Dispatcher {
    dispatcher = startDispatcher(
      t.deps,
      createHttpSender(),
      (secrets, id, ts, body) => ({ ...signatureHeaders(secrets, id, ts, body) }),
      { ...DEFAULT_DISPATCHER, timeoutMs: 2000, schedule: [5 * SECOND, 5 * 60 * SECOND], disableAfter: 20, pollMs: 3_600_000, ...config },
      { onError: (e) => expect.fail(String(e)), random: () => 0, ...webhookAttemptMetrics },
    );
    return dispatcher;
  }

  const ok = async (r: Promise<{ status: number; json: Json }>, status = 200) => {
    const a = await r;
    expect(a.status, JSON.stringify(a.json)).toBe(status);
    return a.json;
  };
  const endpoint = (f: Factory, body: Json = {}) => ok(f.call('POST', '/webhookEndpoints', { url: receiver.url, ...body }), 201);
  const messages = async (f: Factory, id: string, query = '') => (await ok(f.call('GET', `/webhookEndpoints/${id}/messages${query}`))).messages as Json[];
  const bodies = () => receiver.requests.map((r) => JSON.parse(r.body));

  describe('endpoints', () => {
    it('creates one with its secret shown once, and reads, lists, changes and deletes it', async () => {
      const f = await makeFactory(t);
      const created = await endpoint(f, { eventTypes: ['package.redeemed'], description: 'front desk tablet' });
      expect(created).toMatchObject({ url: receiver.url, eventTypes: ['package.redeemed'], format: 'standard', description: 'front desk tablet', disabled: false });
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const read = await ok(f.call('GET', `/webhookEndpoints/${created.id}`));
      expect(read).not.toHaveProperty('secret');
      expect((await ok(f.call('GET', '/webhookEndpoints'))).webhookEndpoints.map((e: Json) => e.id)).toEqual([created.id]);
      expect(await ok(f.call('PATCH', `/webhookEndpoints/${created.id}`, { eventTypes: [], disabled: true }))).toMatchObject({ eventTypes: [], disabled: true });
      await ok(f.call('DELETE', `/webhookEndpoints/${created.id}`));
      expect((await f.call('GET', `/webhookEndpoints/${created.id}`)).status).toBe(404);
    });

    it('refuses what is not an http(s) URL, an unknown event type or format, and a STAFF key', async () => {
      const f = await makeFactory(t);
      for (const body of [{ url: 'ftp://example.test/x' }, { url: 'not a url' }, { url: receiver.url, eventTypes: ['package.teleported'] }, { url: receiver.url, format: 'xml' }]) {
        const r = await f.call('POST', '/webhookEndpoints', body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.json.code).toBe(3);
      }
      const staff = await f.c.newKey('STAFF');
      expect((await f.call('POST', '/webhookEndpoints', { url: receiver.url }, staff.auth)).status).toBe(403);
      expect((await ok(f.call('GET', '/webhookEndpoints'))).webhookEndpoints).toEqual([]);
    });
  });

  describe('delivery', () => {
    it('delivers every change, signed as Standard Webhooks says, with the event and the package after it', async () => {
      const f = await makeFactory(t);
      const e = await endpoint(f);
      const pkg = await f.sell();
      await f.redeemOk(pkg.packageInfo.id);
      await dispatch().runOnce();
      expect(receiver.requests).toHaveLength(2);
      for (const r of receiver.requests) expect(() => receiver.verify(r, e.secret)).not.toThrow();
      const [sold, redeemed] = bodies().sort((a, b) => a.data.event.sequence - b.data.event.sequence);
      expect(sold).toMatchObject({ type: 'package.sold', data: { companyId: f.c.id, packageId: pkg.packageInfo.id, event: { type: 'SOLD', sequence: 1 } } });
      expect(redeemed).toMatchObject({ type: 'package.redeemed', data: { event: { type: 'REDEEMED', sequence: 2 }, package: { packageInfo: { totalRemainingQuantity: 4 } } } });
      expect(Date.parse(redeemed.timestamp)).toBeGreaterThan(0);
      const log = await messages(f, e.id);
      expect(log.map((m) => m.status)).toEqual(['DELIVERED', 'DELIVERED']);
      expect(log.map((m) => m.id).sort()).toEqual(receiver.requests.map((r) => r.headers['webhook-id']).sort());
      const attempts = (await ok(f.call('GET', `/webhookEndpoints/${e.id}/messages/${log[0].id}/attempts`))).attempts;
      expect(attempts).toMatchObject([{ responseStatus: 200, error: '', responseBody: 'ok' }]);
    });

    it('sends a refused change nothing, and only the event types an endpoint asked for', async () => {
      const f = await makeFactory(t);
      await endpoint(f, { eventTypes: ['package.redeemed'] });
      const pkg = await f.sell({ template: { items: [{ quantity: 1 }] } });
      await f.redeemOk(pkg.packageInfo.id);
      expect((await f.redeem(pkg.packageInfo.id)).status).toBe(400); // nothing left: refused, rolled back
      await dispatch().runOnce();
      expect(bodies().map((b) => b.type)).toEqual(['package.redeemed']);
    });

    it('retries a failed attempt after the schedule with the same webhook-id, and records each attempt', async () => {
      const f = await makeFactory(t);
      const e = await endpoint(f, { eventTypes: ['package.sold'] });
      receiver.respond((_r, n) => (n === 1 ? { status: 500, body: 'x'.repeat(3000) } : { status: 204 }));
      await f.sell();
      const d = dispatch();
      await d.runOnce();
      let [m] = await messages(f, e.id);
      expect(m).toMatchObject({ status: 'PENDING', attempts: 1, lastResponseStatus: 500 });
      const [first] = (await ok(f.call('GET', `/webhookEndpoints/${e.id}/messages/${m.id}/attempts`))).attempts;
      const wait = Date.parse(m.nextAttemptTime) - Date.parse(m.lastAttemptTime) - first.durationMs; // from the answer's end
      expect(wait).toBeGreaterThanOrEqual(5 * SECOND);
      expect(wait).toBeLessThanOrEqual(5.5 * SECOND);
      await d.runOnce(); // not due yet
      expect(receiver.requests).toHaveLength(1);
      t.clock.advance(6 * SECOND);
      await d.runOnce();
      [m] = await messages(f, e.id);
      expect(m).toMatchObject({ status: 'DELIVERED', attempts: 2, lastResponseStatus: 204, nextAttemptTime: null });
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
      const attempts = (await ok(f.call('GET', `/webhookEndpoints/${e.id}/messages/${m.id}/attempts`))).attempts;
      expect(attempts.map((a: Json) => a.responseStatus)).toEqual([500, 204]);
      expect(Buffer.byteLength(attempts[0].responseBody)).toBe(1024);
    });

    it('waits what a 429 Retry-After asks, when that is sooner than the schedule', async () => {
      const f = await makeFactory(t);
      const e = await endpoint(f, { eventTypes: ['package.sold'] });
      receiver.respond(() => ({ status: 429, retryAfter: '2' }));
      await f.sell();
      await dispatch().runOnce();
      const [m] = await messages(f, e.id);
      // The wait counts from the end of the answer, so the attempt's own duration is added to it.
      const [attempt] = (await ok(f.call('GET', `/webhookEndpoints/${e.id}/messages/${m.id}/attempts`))).attempts;
      expect(Date.parse(m.nextAttemptTime) - Date.parse(m.lastAttemptTime) - attempt.durationMs).toBe(2 * SECOND);
    });

    it('disables an endpoint at once on 410 and fails its pending messages', async () => {
      const f = await makeFactory(t);
      const e = await endpoint(f);
      receiver.respond(() => ({ status: 410 }));
      await f.sell();
      await dispatch({ concurrency: 1 }).runOnce();
      expect((await ok(f.call('GET', `/webhookEndpoints/${e.id}`))).disabled).toBe(true);
      expect((await messages(f, e.id)).map((m) => m.status)).toEqual(['FAILED']);
      await f.sell();
      expect(await messages(f, e.id)).toHaveLength(1); // a disabled endpoint hears of nothing new
    });

    it('disables an endpoint after N messages in a row have failed, and resumes with new ones when enabled', async () => {
      const f = await makeFactory(t);
      const e = await endpoint(f, { eventTypes: ['package.sold'] });
      receiver.respond(() => ({ status: 500 }));
      const d = dispatch({ schedule: [SECOND], disableAfter: 2 });
      for (let i = 0; i < 2; i++) {
        await f.sell();
        await d.runOnce();
        t.clock.advance(2 * SECOND);
        await d.runOnce();
      }
      expect((await messages(f, e.id)).map((m) => m.status)).toEqual(['FAILED', 'FAILED']);
      expect((await ok(f.call('GET', `/webhookEndpoints/${e.id}`))).disabled).toBe(true);
      receiver.respond(() => ({ status: 200 }));
      await ok(f.call('PATCH', `/webhookEndpoints/${e.id}`, { disabled: false }));
      await f.sell();
      await d.runOnce();
      expect((await messages(f, e.id, '?status=DELIVERED')).length).toBe(1);
    });

    it('cuts a hanging receiver at the timeout without holding up another endpoint', async () => {
      const f = await makeFactory(t);
      const slow = await endpoint(f, { url: receiver.urlFor('/slow'), eventTypes: ['package.sold'] });
      const fast = await endpoint(f, { url: receiver.urlFor('/fast'), eventTypes: ['package.sold'] });
      receiver.respond((r) => (r.path === '/slow' ? { hang: true } : { status: 200 }));
      await f.sell();
      const d = dispatch({ timeoutMs: 300 });
      const started = Date.now();
      await d.runOnce();
      expect(Date.now() - started).toBeLessThan(2000);
      const [hung] = await messages(f, slow.id);
      expect(hung).toMatchObject({ status: 'PENDING', lastResponseStatus: 0 });
      const [attempt] = (await ok(f.call('GET', `/webhookEndpoints/${slow.id}/messages/${hung.id}/attempts`))).attempts;
      expect(attempt.error).toMatch(/time/i);
      expect((await messages(f, fast.id))[0].status).toBe('DELIVERED');
    });

    it('retries when the receiver cannot be reached at all', async () => {
      const f = await makeFactory(t);
      const e = await endpoint(f, { eventTypes: ['package.sold'] });
      await receiver.close();
      await f.sell();
      await dispatch().runOnce();
      const [m] = await messages(f, e.id);
      expect(m).toMatchObject({ status: 'PENDING', lastResponseStatus: 0, attempts: 1 });
      receiver = await startWebhookReceiver(); // for afterEach
    });
  });

  describe('secrets, tests and redelivery', () => {
    it('signs with both secrets for a day after a rotation', async () => {
      const f = await makeFactory(t);
      const e = await endpoint(f, { eventTypes: ['package.sold'] });
      const rotated = await ok(f.call('POST', `/webhookEndpoints/${e.id}:rotateSecret`));
      expect(rotated.secret).not.toBe(e.secret);
      await f.sell();
      const d = dispatch();
      await d.runOnce();
      const [first] = receiver.requests;
      expect(first!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
      expect(() => receiver.verify(first!, e.secret)).not.toThrow();
      expect(() => receiver.verify(first!, rotated.secret)).not.toThrow();
      t.clock.advance(25 * 3600 * SECOND);
      await f.sell();
      await d.runOnce();
      const second = receiver.requests[1]!;
      expect(second.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    });

    it('sends webhook.test on :test (202) and a message again, same webhook-id, on :redeliver', async () => {
      const f = await makeFactory(t);
      const e = await endpoint(f);
      const queued = await ok(f.call('POST', `/webhookEndpoints/${e.id}:test`), 202);
      expect(queued).toMatchObject({ type: 'webhook.test', status: 'PENDING' });
      const d = dispatch();
      await d.runOnce();
      expect(bodies()[0]).toMatchObject({ type: 'webhook.test', data: { companyId: f.c.id, endpointId: e.id } });
      const again = await ok(f.call('POST', `/webhookEndpoints/${e.id}/messages/${queued.id}:redeliver`), 202);
      expect(again.status).toBe('PENDING');
      await d.runOnce();
      expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([queued.id, queued.id]);
      expect((await messages(f, e.id))[0]).toMatchObject({ status: 'DELIVERED', attempts: 2 });
      expect((await f.call('POST', `/webhookEndpoints/${e.id}/messages/msg_nope:redeliver`)).status).toBe(404);
    });

    it('sends a test to a disabled endpoint (an integrator checks the receiver before enabling it), and no package change', async () => {
      const f = await makeFactory(t);
      const e = await endpoint(f);
      await ok(f.call('PATCH', `/webhookEndpoints/${e.id}`, { disabled: true }));
      await f.sell();
      const queued = await ok(f.call('POST', `/webhookEndpoints/${e.id}:test`), 202);
      await dispatch().runOnce();
      expect(bodies().map((b) => b.type)).toEqual(['webhook.test']);
      expect((await messages(f, e.id)).find((m) => m.id === queued.id)).toMatchObject({ status: 'DELIVERED', attempts: 1 });
    });

    it('deletes an endpoint with its messages', async () => {
      const f = await makeFactory(t);
      const e = await endpoint(f);
      await f.sell();
      await ok(f.call('DELETE', `/webhookEndpoints/${e.id}`));
      expect((await f.call('GET', `/webhookEndpoints/${e.id}/messages`)).status).toBe(404);
      await dispatch().runOnce();
      expect(receiver.requests).toHaveLength(0);
    });
  });

  describe('a message whose endpoint is gone', () => {
    it('is dropped, with nothing sent: written by a change that committed while its endpoint was being deleted', async () => {
      const f = await makeFactory(t);
      const e = await endpoint(f);
      await f.sell();
      // The deletion cleared the endpoint's messages before the change's message committed: only the endpoint
      // row is gone.
      const db = t.testStore.db.kysely;
      await sql`DELETE FROM webhook_endpoints WHERE company_id = ${f.c.id} AND endpoint_id = ${e.id}`.execute(db);
      const left = async () =>
        Number((await sql<{ n: number | string }>`SELECT count(*) AS n FROM webhook_messages WHERE company_id = ${f.c.id} AND endpoint_id = ${e.id}`.execute(db)).rows[0]!.n);
      expect(await left()).toBe(1);
      await dispatch().runOnce();
      expect(receiver.requests).toHaveLength(0);
      expect(await left()).toBe(0);
    });
  });

  describe('metrics', () => {
    it('publishes messages by status, the oldest pending age and the attempts', async () => {
      const f = await makeFactory(t);
      await endpoint(f, { eventTypes: ['package.sold'] });
      await f.sell();
      const before = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(before).toMatch(/punchcard_webhook_messages\{status="PENDING"\} [1-9]/);
      expect(before).toMatch(/punchcard_webhook_oldest_pending_seconds \d/);
      t.clock.advance(3 * SECOND);
      await dispatch().runOnce();
      const after = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(after).toMatch(/punchcard_webhook_messages\{status="DELIVERED"\} [1-9]/);
      expect(after).toMatch(/punchcard_webhook_attempts_total\{outcome="delivered"\} [1-9]/);
      expect(after).toMatch(/punchcard_webhook_delivery_latency_seconds_count [1-9]/);
    });
  });

  describe('formats and the sweeper', () => {
    it("sends Zenoti's envelope to a zenoti endpoint, its id the webhook-id and event_id the history event's", async () => {
      const f = await makeFactory(t);
      const e = await endpoint(f, { format: 'zenoti' });
      const pkg = await f.sell();
      await f.redeemOk(pkg.packageInfo.id);
      await dispatch().runOnce();
      const events = await f.events(pkg.packageInfo.id);
      const sent = receiver.requests.map((r) => ({ id: r.headers['webhook-id'], body: JSON.parse(r.body) }));
      expect(sent.map((s) => s.body.event_type).sort()).toEqual(['GuestPackage.Created', 'GuestPackage.Redeemed']);
      for (const s of sent) {
        expect(s.body).toMatchObject({ id: s.id, event_schema: 'v1', event_resource: 'Guest Package', data: { user_package_id: pkg.packageInfo.id } });
        expect(events.map((ev) => ev.id)).toContain(s.body.event_id);
      }
      for (const r of receiver.requests) expect(() => receiver.verify(r, e.secret)).not.toThrow();
      expect((await messages(f, e.id)).map((m) => m.type).sort()).toEqual(['GuestPackage.Created', 'GuestPackage.Redeemed']);
    });

    it('announces package.expiring_soon once per package and expiration date', async () => {
      const f = await makeFactory(t);
      const e = await endpoint(f, { eventTypes: ['package.expiring_soon'] });
      const soon = await f.sell({ template: { validity: { days: 10 } } });
      await f.sell({ template: { validity: { days: 100 } } });
      expect(await sweepExpiringSoon(t.deps, 14, f.c.id)).toBe(1);
      expect(await sweepExpiringSoon(t.deps, 14, f.c.id)).toBe(0);
      await dispatch().runOnce();
      expect(bodies()).toMatchObject([{ type: 'package.expiring_soon', data: { packageId: soon.packageInfo.id, expirationDate: soon.packageInfo.expirationDate } }]);
      // Extended, then near again: announced again for the new date.
      const later = new Date(Date.parse(soon.packageInfo.endTime) + 2 * 86_400_000).toISOString().slice(0, 10);
      await ok(f.call('POST', `/packages/${soon.packageInfo.id}:extend`, { expirationDate: later }));
      expect(await sweepExpiringSoon(t.deps, 14, f.c.id)).toBe(1);
      expect((await messages(f, e.id)).length).toBe(2);
    });
  });
});
