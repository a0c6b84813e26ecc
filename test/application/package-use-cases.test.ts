// The use cases on each engine, without HTTP: they load, ask the domain and write what it decided, in one
// transaction with the history and the idempotency record; the sweeper only records what time decided.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ENGINES, openTestStore, type TestStore } from '../support/engines.js';
import { FixedClock } from '../../src/domain/clock.js';
import { money } from '../../src/domain/money.js';
import type { Deps } from '../../src/application/context.js';
import type { Store } from '../../src/application/ports.js';
import { sellPackage } from '../../src/application/selling.js';
import { commitHold, redeem, reverseRedemption } from '../../src/application/redemption.js';
import { adjustPackage, cancelPackage, extendPackage, freezePackage, previewRefund, unfreezePackage } from '../../src/application/package-admin.js';
import { getPackage } from '../../src/application/package-queries.js';
import { sweepExpiredPackages, sweepLapsedHolds } from '../../src/application/sweeper.js';
import { verifyLedger } from '../../src/application/verify.js';
import { fillDerivedColumns } from '../../src/storage/derived-backfill.js';
import { MASTER, VISIT, furnishSalon } from '../support/salon.js';

const START = Date.parse('2026-03-10T15:00:00Z');
const DAY = 86_400_000;

describe.each(ENGINES)('package use cases on %s', (engine) => {
  let ts: TestStore;
  let clock: FixedClock;
  let deps: Deps;
  beforeAll(async () => {
    ts = await openTestStore(engine);
    clock = new FixedClock(START);
    deps = { store: ts.store, clock, masterKey: null };
  });
  afterAll(() => ts.close());

  /** A company with a business in `timeZone`, a customer and a $30 service, and a 5-visit template. */
  async function setUp(timeZone = 'UTC', validity: { days: number } = { days: 30 }) {
    clock.set(START);
    const { companyId, sell } = await furnishSalon(deps, { units: 5, timeZone, validity });
    return { companyId, sell, visit: VISIT };
  }

  it('walks a package through its life and leaves a history that explains every balance', async () => {
    const { companyId, sell, visit } = await setUp('America/Los_Angeles');
    const pkg = await sell();
    const used = (await redeem(deps, MASTER, companyId, pkg.id, { ...visit, quantity: 2 })).result;
    const hold = (await redeem(deps, MASTER, companyId, pkg.id, { ...visit, hold: true })).result;
    await commitHold(deps, MASTER, companyId, hold.redemption.id);
    await reverseRedemption(deps, MASTER, companyId, used.redemption.id, 'cancelled visit');
    await freezePackage(deps, MASTER, companyId, pkg.id, { startDate: '2026-03-12', endDate: '2026-03-19' });
    clock.advance(DAY);
    await unfreezePackage(deps, MASTER, companyId, pkg.id);
    await extendPackage(deps, MASTER, companyId, pkg.id, '2026-12-31');
    await adjustPackage(deps, MASTER, companyId, pkg.id, { packageServiceId: pkg.items[0]!.id, delta: 1, reason: 'goodwill' });
    expect(await previewRefund(deps, MASTER, companyId, pkg.id, { mode: 'PRORATED' })).toEqual(money('USD', 12_000));
    const cancelled = (await cancelPackage(deps, MASTER, companyId, pkg.id, { refund: 'PRORATED', reason: 'moving' })).result;
    expect(cancelled.refund).toEqual(money('USD', 12_000));
    const events = await ts.store.read.events.all(companyId, pkg.id);
    expect(events.map((e) => e.type)).toEqual(['SOLD', 'REDEEMED', 'HELD', 'COMMITTED', 'REVERSED', 'FROZEN', 'UNFROZEN', 'EXTENDED', 'ADJUSTED', 'CANCELLED']);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, n) => n + 1));
    expect((await verifyLedger(deps, companyId)).drifts).toEqual([]);
  });

  it('replays a keyed sale instead of selling twice, and replays when a concurrent writer stored the key first', async () => {
    const { companyId, sell } = await setUp();
    const first = await sell('sale-1');
    expect((await sell('sale-1')).id).toBe(first.id);
    // Another process committed the same key between this request's check and its insert: the insert's unique
    // violation must end in the stored answer, not in an error. The store is shown the key only after work ran.
    let hide = true;
    const racing: Store = {
      ...ts.store,
      transaction: (fn) =>
        ts.store.transaction((repos) =>
          fn({ ...repos, idempotency: { ...repos.idempotency, get: async (c, k) => (hide ? undefined : repos.idempotency.get(c, k)) } }),
        ),
    };
    const raceDeps: Deps = { ...deps, store: racing };
    const templateId = (await ts.store.read.packages.get(companyId, first.id))!.templateId;
    const replayed = await sellPackage(raceDeps, MASTER, companyId, { templateId, customerId: 'cus_1', businessId: 'bus_1' }, 'sale-1');
    hide = false;
    expect(replayed).toMatchObject({ replayed: true });
    expect(replayed.result.pkg.id).toBe(first.id);
    const sold = await ts.db.kysely.selectFrom('packages').select('package_id').where('company_id', '=', companyId).execute();
    expect(sold).toHaveLength(1); // the racing attempt's sale was rolled back with its failed insert
  });

  it('lets the sweeper record only what time decided, so reads are the same before and after it runs', async () => {
    const { companyId, sell, visit } = await setUp('Europe/London', { days: 1 });
    const pkg = await sell();
    await redeem(deps, MASTER, companyId, pkg.id, { ...visit, hold: true, holdExpireTime: START + 3_600_000 });
    clock.advance(3 * DAY);
    const before = await getPackage(deps, MASTER, companyId, pkg.id);
    expect(await sweepLapsedHolds(deps)).toBe(1);
    expect(await sweepExpiredPackages(deps, companyId)).toBe(0); // the hold's transaction already recorded the expiry
    const after = await getPackage(deps, MASTER, companyId, pkg.id);
    expect({ ...after.pkg, eventSeq: 0, updateTime: 0, expiredTime: 0 }).toEqual({ ...before.pkg, eventSeq: 0, updateTime: 0, expiredTime: 0 });
    expect(after.holds).toEqual(before.holds);
    const types = (await ts.store.read.events.all(companyId, pkg.id)).map((e) => [e.type, e.actorKeyId]);
    expect(types).toEqual([
      ['SOLD', 'master'],
      ['HELD', 'master'],
      ['HOLD_EXPIRED', null],
      ['EXPIRED', null],
    ]);
    expect((await verifyLedger(deps, companyId)).drifts).toEqual([]);
  });

  it('fills the derived columns of rows written before they existed', async () => {
    const { companyId, sell } = await setUp('America/Los_Angeles');
    const pkg = await sell();
    await freezePackage(deps, MASTER, companyId, pkg.id, { startDate: '2026-03-12' });
    const row = () => ts.db.kysely.selectFrom('packages').select(['grace_end_time', 'freeze_start_time', 'freeze_end_time']).where('company_id', '=', companyId).where('package_id', '=', pkg.id).executeTakeFirstOrThrow();
    const written = await row();
    expect(Number(written.grace_end_time)).toBe(Date.parse('2026-04-10T07:00:00Z'));
    expect(Number(written.freeze_start_time)).toBe(Date.parse('2026-03-12T07:00:00Z'));
    await sql`UPDATE packages SET grace_end_time = NULL, freeze_start_time = NULL WHERE company_id = ${companyId} AND package_id = ${pkg.id}`.execute(ts.db.kysely);
    expect(await fillDerivedColumns(ts.db)).toBeGreaterThanOrEqual(1);
    expect(await row()).toEqual(written);
    expect(await fillDerivedColumns(ts.db)).toBe(0);
  });
});

describe.each(ENGINES)('the store on %s', (engine) => {
  it('offers no write or lock outside a transaction, and all of them inside one', async () => {
    const ts = await openTestStore(engine);
    try {
      const read = ts.store.read as unknown as Record<string, Record<string, unknown>>;
      for (const [repo, method] of [['packages', 'lockForUpdate'], ['packages', 'writeChange'], ['templates', 'insert'], ['companies', 'insert'], ['events', 'appendMany'], ['idempotency', 'claim'], ['customers', 'upsert']] as const) {
        expect(read[repo]![method], `${repo}.${method}`).toBeUndefined();
      }
      expect(typeof ts.store.read.packages.get).toBe('function');
      await ts.store.transaction(async (repos) => {
        expect(typeof repos.packages.lockForUpdate).toBe('function');
        expect(typeof repos.templates.insert).toBe('function');
      });
    } finally {
      await ts.close();
    }
  });
});
