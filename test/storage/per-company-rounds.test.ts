// Rounds over 1,000 companies: the background work goes company by company (every statement about one company,
// docs/citus.md). A dispatcher's full pass finds exactly the companies with work, the webhook stats of /metrics
// sum every company's, and a sweeper round with nothing due records nothing. What the rounds cost is measured
// by bench/per-company.bench.mjs, not here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ENGINES, openTestStore, type TestStore } from '../support/engines.js';
import { sweepExpiredPackages, sweepLapsedHolds } from '../../src/application/sweeper.js';

const COMPANIES = 1000;

const T0 = Date.parse('2026-03-10T15:00:00Z');

describe.each(ENGINES)('a round over %s companies', (engine) => {
  let ts: TestStore;
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
    await ts.close();
  });

  const everyCompany = async (visit: (companyId: string) => Promise<unknown>) => {
    for (let after: string | null = null; ; ) {
      const ids = await ts.store.read.companies.listIds(after, 500);
      for (const id of ids) await visit(id);
      if (ids.length < 500) return;
      after = ids[ids.length - 1]!;
    }
  };

  it('asks every company when its next message may be claimed, and finds exactly those with work', async () => {
    let found = 0;
    await everyCompany(async (id) => {
      if ((await ts.store.read.webhookMessages.nextClaimable(id)) !== null) found++;
    });
    expect(found).toBe(COMPANIES / 10);
  });

  it('sums the webhook stats company by company', async () => {
    expect((await ts.store.read.webhookMessages.stats()).byStatus.PENDING).toBe(COMPANIES / 10);
  });

  it('sweeps holds and grace ends of every company, recording nothing when nothing is due', async () => {
    const deps = { store: ts.store, clock: { now: () => T0 }, masterKey: null };
    expect(await sweepLapsedHolds(deps)).toBe(0);
    expect(await sweepExpiredPackages(deps)).toBe(0);
  });
});
