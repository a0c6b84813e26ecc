// Webhook delivery company by company (every statement about one company, docs/citus.md): a claim takes one
// company's due messages only; a company says when its next message may be claimed; and the dispatcher attempts
// a message within a second of its commit without a poll of every company: one its own process wrote, and on
// PostgreSQL one a process without a dispatcher (the CLI) wrote, heard by a notice.
import { afterEach, describe, expect, it } from 'vitest';
import { startDispatcher, DEFAULT_DISPATCHER, type Dispatcher } from '../../src/application/webhook-dispatcher.js';
import type { Deps } from '../../src/application/context.js';
import type { WebhookAnswer } from '../../src/application/ports.js';
import type { WebhookEndpoint, WebhookMessage } from '../../src/domain/webhooks.js';
import { createStore } from '../../src/storage/store.js';
import { ENGINES, openTestStore, type TestStore } from '../support/engines.js';

const T0 = Date.parse('2026-03-10T15:00:00Z');

const endpoint = (companyId: string): WebhookEndpoint => ({
  companyId,
  id: `whe_${companyId}`,
  url: 'http://127.0.0.1:9/hook',
  eventTypes: [],
  format: 'standard',
  description: '',
  disabled: false,
  secret: 'whsec_c2VjcmV0',
  previousSecret: null,
  previousSecretExpireTime: null,
  failedInARow: 0,
  createTime: T0,
  updateTime: T0,
});

let seq = 0;
const message = (companyId: string, over: Partial<WebhookMessage> = {}): WebhookMessage => ({
  companyId,
  id: `msg_${companyId}_${++seq}`,
  endpointId: `whe_${companyId}`,
  type: 'webhook.test',
  eventId: null,
  packageId: null,
  body: '{}',
  status: 'PENDING',
  attempts: 0,
  roundAttempts: 0,
  createTime: T0,
  nextAttemptTime: T0,
  lastAttemptTime: null,
  lastResponseStatus: 0,
  ...over,
});

describe.each(ENGINES)('webhook work company by company on %s', (engine) => {
  const opened: TestStore[] = [];
  const dispatchers: Dispatcher[] = [];
  afterEach(async () => {
    for (const d of dispatchers.splice(0)) await d.stop();
    for (const o of opened.splice(0)) await o.close();
  });

  async function withCompanies(...ids: string[]): Promise<TestStore> {
    const ts = await openTestStore(engine);
    opened.push(ts);
    await ts.store.transaction(async (repos) => {
      for (const id of ids) {
        await repos.companies.insert({ id, name: id, createTime: T0, updateTime: T0 });
        await repos.webhookEndpoints.insert(endpoint(id));
      }
    });
    return ts;
  }

  it('claims one company’s due messages only, and tells when the next may be claimed', async () => {
    const { store } = await withCompanies('cmp_a', 'cmp_b');
    await store.transaction(async (repos) => {
      // One insert per company: a statement is about one company (the suite's check holds tests to it too).
      await repos.webhookMessages.insert([message('cmp_a'), message('cmp_a', { nextAttemptTime: T0 + 5000 })]);
      await repos.webhookMessages.insert([message('cmp_b')]);
    });
    expect(await store.read.webhookMessages.nextClaimable('cmp_a')).toBe(T0);
    const claimed = await store.transaction((repos) => repos.webhookMessages.claimDue('cmp_a', 'me', T0, T0 + 15_000, 10));
    expect(claimed.map((m) => m.companyId)).toEqual(['cmp_a']);
    // The claimed one until its lease ends, the other at its attempt time: the sooner.
    expect(await store.read.webhookMessages.nextClaimable('cmp_a')).toBe(T0 + 5000);
    expect(await store.read.webhookMessages.nextClaimable('cmp_b')).toBe(T0);
    expect(await store.transaction((repos) => repos.webhookMessages.claimDue('cmp_a', 'other', T0, T0 + 15_000, 10))).toEqual([]);
    const stats = await store.read.webhookMessages.stats();
    expect(stats).toEqual({ byStatus: { PENDING: 3, DELIVERED: 0, FAILED: 0 }, oldestPendingTime: T0 });
  });

  function dispatch(deps: Deps, sent: string[]): Dispatcher {
    const d = startDispatcher(
      deps,
      {
        send: async (): Promise<WebhookAnswer> => ({ status: 200, durationMs: 1, error: '', body: '', retryAfterMs: null }),
      },
      () => ({}),
      // A full pass an hour apart: only the notice can bring the message in time.
      { ...DEFAULT_DISPATCHER, timeoutMs: 1000, schedule: [1000], disableAfter: 20, pollMs: 100, fullPassMs: 3_600_000 },
      { onError: (e) => expect.fail(String(e)), onAttempt: (m) => sent.push(m.id) },
    );
    dispatchers.push(d);
    return d;
  }

  const within = async (ms: number, done: () => boolean) => {
    const deadline = Date.now() + ms;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return done();
  };

  it('attempts a message its own process wrote within a second of the commit', async () => {
    const { store } = await withCompanies('cmp_a', 'cmp_b');
    const sent: string[] = [];
    dispatch({ store, clock: { now: () => Date.now() }, masterKey: null }, sent);
    await new Promise((r) => setTimeout(r, 300)); // the first full pass is over
    const m = message('cmp_b', { nextAttemptTime: Date.now() });
    await store.transaction((repos) => repos.webhookMessages.insert([m]));
    expect(await within(1000, () => sent.includes(m.id))).toBe(true);
  });

  it.runIf(engine === 'postgres')('attempts a message a process without a dispatcher wrote within a second, by its notice', async () => {
    const ts = await withCompanies('cmp_a', 'cmp_b');
    const sent: string[] = [];
    dispatch({ store: ts.store, clock: { now: () => Date.now() }, masterKey: null }, sent);
    await new Promise((r) => setTimeout(r, 300));
    // Another process's store on the same database (the CLI's): it has no dispatcher, so it sends a notice.
    const cliDb = await ts.database.open();
    const cli = createStore(cliDb);
    try {
      const m = message('cmp_a', { nextAttemptTime: Date.now() });
      await cli.transaction((repos) => repos.webhookMessages.insert([m]));
      expect(await within(1000, () => sent.includes(m.id))).toBe(true);
    } finally {
      await cli.close();
    }
  });
});
