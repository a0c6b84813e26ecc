// What visiting every company costs, with 1,000 companies: the background work goes company by company (every
// statement about one company, docs/citus.md), so its rounds grow with the number of companies. Measures a
// dispatcher's full pass (one read per company), what a claim of every company would cost (one transaction
// each: why the dispatcher does not claim every company every poll), the webhook stats of /metrics, and a
// sweeper round with nothing due; prints the figures and holds each to its period's budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ENGINES, openTestStore, type TestStore } from '../support/engines.js';
import { sweepExpiredPackages, sweepLapsedHolds } from '../../src/application/sweeper.js';

const COMPANIES = 1000;
const T0 = Date.parse('2026-03-10T15:00:00Z');

describe.each(ENGINES)('a round over %s companies', (engine) => {
  let ts: TestStore;
  const figures: string[] = [];
  beforeAll(async () => {
    ts = await openTestStore(engine);
    const ids = Array.from({ length: COMPANIES }, (_, n) => `cmp_${String(n).padStart(4, '0')}`);
    await ts.db.transaction(async (trx) => {
      for (let n = 0; n < ids.length; n += 100) {
        await trx.insertInto('companies').values(ids.slice(n, n + 100).map((company_id) => ({ company_id, name: company_id, created_at: T0, updated_at: T0 }))).execute();
      }
    });
    // One pending message in every tenth company, so the reads find something.
    await ts.store.transaction(async (repos) => {
      for (const companyId of ids.filter((_, n) => n % 10 === 0)) {
        await repos.webhookMessages.insert([
          { companyId, id: `msg_${companyId}`, endpointId: 'whe_1', type: 'webhook.test', eventId: null, packageId: null, body: '{}', status: 'PENDING', attempts: 0, roundAttempts: 0, createTime: T0, nextAttemptTime: T0 + 60_000, lastAttemptTime: null, lastResponseStatus: 0 },
        ]);
      }
    });
    if (engine === 'postgres') await sql`ANALYZE companies, webhook_messages`.execute(ts.db.kysely);
  });
  afterAll(async () => {
    console.log(`per-company rounds on ${engine}, ${COMPANIES} companies: ${figures.join('; ')}`);
    await ts.close();
  });

  /** The best of three runs, in ms (the first warms the caches and the prepared plans). */
  async function time(run: () => Promise<unknown>): Promise<number> {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await run();
      best = Math.min(best, performance.now() - started);
    }
    return Math.round(best * 10) / 10;
  }

  const everyCompany = async (visit: (companyId: string) => Promise<unknown>) => {
    for (let after: string | null = null; ; ) {
      const ids = await ts.store.read.companies.listIds(after, 500);
      for (const id of ids) await visit(id);
      if (ids.length < 500) return;
      after = ids[ids.length - 1]!;
    }
  };

  it('asks every company when its next message may be claimed well within the 10 s between full passes', async () => {
    let found = 0;
    const ms = await time(async () => {
      found = 0;
      await everyCompany(async (id) => {
        if ((await ts.store.read.webhookMessages.nextClaimable(id)) !== null) found++;
      });
    });
    figures.push(`dispatcher full pass ${ms} ms`);
    expect(found).toBe(COMPANIES / 10);
    expect(ms).toBeLessThan(5000);
  });

  it('would spend far more than a poll’s 250 ms claiming every company each poll', async () => {
    const ms = await time(() => everyCompany((id) => ts.store.transaction((repos) => repos.webhookMessages.claimDue(id, 'me', T0, T0 + 15_000, 32))));
    figures.push(`a claim of every company ${ms} ms`);
    expect(ms).toBeGreaterThan(0);
  });

  it('sums the webhook stats company by company within a scrape', async () => {
    let pending = 0;
    const ms = await time(async () => {
      pending = (await ts.store.read.webhookMessages.stats()).byStatus.PENDING;
    });
    figures.push(`webhook stats ${ms} ms`);
    expect(pending).toBe(COMPANIES / 10);
    expect(ms).toBeLessThan(5000);
  });

  it('sweeps holds and grace ends of every company with nothing due within the sweeper’s interval', async () => {
    const deps = { store: ts.store, clock: { now: () => T0 }, masterKey: null };
    const ms = await time(async () => {
      expect(await sweepLapsedHolds(deps)).toBe(0);
      expect(await sweepExpiredPackages(deps)).toBe(0);
    });
    figures.push(`sweeper round ${ms} ms`);
    expect(ms).toBeLessThan(10_000);
  });
});
