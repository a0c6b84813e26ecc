// kill -9 under 16 concurrent writers, three times: every acknowledged redemption is in the history after
// restart, and every balance equals its history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';
import { client, seedCompany, startServer, type ServerProcess } from '../support/server-process.js';
import { verifyLedger } from '../../src/application/verify.js';
import { createStore } from '../../src/storage/store.js';

const WRITERS = 16;

describe.each(ENGINES)('kill -9 under load on %s', (engine) => {
  let db: TestDatabase;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await server?.stop();
    await db.drop();
  });

  it('loses no acknowledged redemption and keeps every balance equal to its history', async () => {
    server = await startServer({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
    const { key, base } = await seedCompany(server.url, 'cmp_crash', 10_000);
    const sold = await client(server.url, key)('POST', `${base}/packages:sell`, { templateId: 'tpl_1', customerId: 'cus_1', businessId: 'bus_1' });
    const packageId = sold.json.packageInfo.id as string;
    const acknowledged = new Set<string>();

    for (let round = 0; round < 3; round++) {
      const call = client(server.url, key);
      let stop = false;
      const writers = Array.from({ length: WRITERS }, async (_, w) => {
        for (let n = 0; !stop; n++) {
          try {
            const r = await call('POST', `${base}/packages/${packageId}:redeem`, { serviceId: 'srv_1', quantity: 1, businessId: 'bus_1' }, {
              'idempotency-key': `r${round}-w${w}-n${n}`,
            });
            if (r.status === 200) acknowledged.add(r.json.redemption.id);
            else if (r.status !== 503) throw new Error(`unexpected ${r.status} ${JSON.stringify(r.json)} ${server!.output().slice(-3000)}`);
          } catch (error) {
            if (stop) return; // the connection died with the server
            if (error instanceof Error && error.message.startsWith('unexpected')) throw error;
          }
        }
      });
      await new Promise((r) => setTimeout(r, 1500));
      const before = acknowledged.size;
      await server.kill();
      stop = true;
      await Promise.all(writers);
      expect(acknowledged.size, `round ${round} wrote something`).toBeGreaterThan(before > 0 ? before - 1 : 0);
      server = await startServer({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
    }

    const events = [];
    const call = client(server.url, key);
    for (let token = ''; ; ) {
      const page = await call('GET', `${base}/packages/${packageId}/events?pageSize=500${token ? `&pageToken=${token}` : ''}`);
      events.push(...page.json.events);
      token = page.json.nextPageToken;
      if (!token) break;
    }
    const inHistory = new Set(events.filter((e: { type: string }) => e.type === 'REDEEMED').map((e: { redemptionId: string }) => e.redemptionId));
    const lost = [...acknowledged].filter((id) => !inHistory.has(id));
    expect(acknowledged.size).toBeGreaterThan(30);
    expect(lost).toEqual([]);
    console.log(`kill -9 x3 on ${engine}: ${acknowledged.size} acknowledged redemptions, all in the history`);

    await server.stop();
    server = undefined;
    const store = createStore(await db.open());
    try {
      const report = await verifyLedger({ store, clock: { now: () => Date.now() }, masterKey: null });
      expect(report.drifts).toEqual([]);
      expect(report.events).toBe(inHistory.size + 1);
    } finally {
      await store.close();
    }
  }, 120_000);
});
