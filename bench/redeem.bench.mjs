// Redemptions per second through Punchcard's `redeem` use case (validation, rules, guarded update, ledger
// entry, group commit) from 32 concurrent callers, against raw driver loops issuing the same SQL statements, side
// by side in one run, per engine: the fastest loop the driver allows committing each redemption (a prepared,
// synchronous loop on SQLite; on PostgreSQL one statement per redemption on 32 connections), and the batched
// raw loop, 32 redemptions per commit, which is the limit. Target: Punchcard at ≥ 0.5 of the batched loop.
// Also the latency of one caller alone (an idle server), and the group commits' sizes under each load. Every
// loop writes with the durability of production (SQLite WAL + synchronous=FULL; PostgreSQL with fsync on).
//
// Env: BENCH_SECONDS (default 5) per measurement, BENCH_ROUNDS (2, alternating), BENCH_CONCURRENCY (32)
// callers, BENCH_BATCH (32) redemptions per commit of the batched loop, BENCH_DATABASE_URL (postgres://…) to add
// PostgreSQL (SQLite always runs, in a temporary directory), BENCH_WRITERS (group commits in flight at once;
// default: the store's, half the pool on PostgreSQL), BENCH_RESULTS_DIR.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { benchCompany, master } from './lib/ledger.mjs';
import { writeResults } from './lib/results.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(path.dirname(here), 'dist', 'src');
const load = (p) => import(path.join(dist, p));
const { openDatabase } = await load('storage/database.js');
const { migrate } = await load('storage/migrate.js');
const { createStore } = await load('storage/store.js');
const { systemClock } = await load('domain/clock.js');
const { redeem } = await load('application/redemption.js');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const BATCH = Number(process.env.BENCH_BATCH ?? 32);
const TARGET = 0.5;
const id = (p) => `${p}_${randomBytes(8).toString('hex')}`;

async function setup(databaseUrl, dataDir) {
  const db = await openDatabase({ databaseUrl, dataDir, poolSize: 16 });
  await migrate(db);
  const store = createStore(db, process.env.BENCH_WRITERS ? { writers: Number(process.env.BENCH_WRITERS) } : {});
  const deps = { store, clock: systemClock, masterKey: null };
  const { companyId, sell } = await benchCompany(deps);
  return { db, store, deps, companyId, sell };
}

/** Runs `once` from `workers` async loops for SECONDS; operations per second, and each one's latency. */
async function measure(workers, once) {
  const end = performance.now() + SECONDS * 1000;
  const latencies = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await once();
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { perSecond: Math.round(latencies.length / SECONDS), ...percentiles(latencies) };
}

/** Runs a synchronous `once` (which does `per` redemptions) in a tight loop for SECONDS. */
function measureSync(once, per) {
  const end = performance.now() + SECONDS * 1000;
  let done = 0;
  while (performance.now() < end) {
    once();
    done += per;
  }
  return { perSecond: Math.round(done / SECONDS) };
}

function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(3));
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** The group commits' sizes while fn runs: how many batches of each size, and the mean. */
async function batchSizes(store, fn) {
  if (!store.onWriteBatch) return { ...(await fn()), batches: null }; // a commit from before group commit, measured for comparison
  const sizes = new Map();
  const stop = store.onWriteBatch((b) => sizes.set(b.commands, (sizes.get(b.commands) ?? 0) + 1));
  try {
    const result = await fn();
    const batches = [...sizes.values()].reduce((a, b) => a + b, 0);
    const commands = [...sizes].reduce((n, [size, count]) => n + size * count, 0);
    const common = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([size, count]) => ({ size, batches: count }));
    return { ...result, batches: { mean: Number((commands / Math.max(1, batches)).toFixed(1)), max: Math.max(0, ...sizes.keys()), common } };
  } finally {
    stop();
  }
}

// ---- the raw loops: the statements Punchcard's redeem issues, without the layers ----

/** The package's state and derived columns, written once at the end of every change (PackageRepo.saveState). */
const SAVE_STATE = `update packages set start_time = $1, end_time = $2, freeze_start_date = $3, freeze_end_date = $4, freeze_reason = $5,
  freeze_keep_end_time = $6, cancelled_at = $7, refund_minor = $8, expired_at = $9, event_seq = $10, updated_at = $11, grace_end_time = $12,
  freeze_start_time = $13, freeze_end_time = $14, units_left = $15, service_units_left = $16 where company_id = $17 and package_id = $18`;
const saveStateValues = (pkg, now, left, companyId, packageId) => [
  pkg.start_time, pkg.end_time, pkg.freeze_start_date, pkg.freeze_end_date, pkg.freeze_reason, pkg.freeze_keep_end_time, pkg.cancelled_at,
  pkg.refund_minor, pkg.expired_at, pkg.event_seq, now, pkg.grace_end_time, pkg.freeze_start_time, pkg.freeze_end_time, left, left, companyId, packageId,
];
const REDEMPTION_COLUMNS = `company_id, redemption_id, package_id, item_id, service_id, quantity, business_id, staff_id, appointment_id, status,
  redeem_time, hold_expire_time, value_minor, created_at, updated_at`;
const EVENT_COLUMNS = `company_id, package_id, seq, event_id, type, time, recorded_at, business_id, actor_key_id, actor_staff_id, redemption_id,
  item_id, quantity, value_delta_minor, breakage_delta_minor, refund_minor, total_remaining_after, data`;

/**
 * SQLite: the statements of a redemption (the business read, the package read under the write lock, its items, the guarded update,
 * the redemption, the event, the state), prepared once and run synchronously, as fast as better-sqlite3 goes:
 * `single` commits each redemption, `batched` BATCH of them per commit.
 */
function rawSqlite(file, companyId, packageIds) {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const s = {
    business: db.prepare('select * from businesses where company_id = ? and business_id = ?'),
    // In a write transaction SQLite's one write lock is held: reading the package is locking it (as PackageRepo does).
    lock: db.prepare('select * from packages where company_id = ? and package_id = ?'),
    items: db.prepare('select * from package_items where company_id = ? and package_id in (?)'),
    consume: db.prepare('update package_items set used = used + ?, remaining = remaining - ? where company_id = ? and package_id = ? and item_id = ? and remaining >= ?'),
    redemption: db.prepare(`insert into redemptions (${REDEMPTION_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    event: db.prepare(`insert into package_events (${EVENT_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    finish: db.prepare(SAVE_STATE.replace(/\$\d+/g, '?')),
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
  };
  let next = 0;
  const redeemOne = () => {
    const packageId = packageIds[next++ % packageIds.length];
    const now = Date.now();
    s.business.get(companyId, 'bus_1');
    const pkg = s.lock.get(companyId, packageId);
    const item = s.items.all(companyId, packageId)[0];
    if (s.consume.run(1, 1, companyId, packageId, item.item_id, 1).changes !== 1) throw new Error('guard');
    const rid = id('red');
    s.redemption.run(companyId, rid, packageId, item.item_id, 'srv_1', 1, 'bus_1', null, null, 'COMMITTED', now, null, 1000, now, now);
    s.event.run(companyId, packageId, pkg.event_seq + 1, id('evt'), 'REDEEMED', now, now, 'bus_1', 'master', null, rid, item.item_id, 1, -1000, 0, 0, item.remaining - 1, '{}');
    s.finish.run(...saveStateValues({ ...pkg, event_seq: pkg.event_seq + 1 }, now, item.remaining - 1, companyId, packageId));
  };
  const commitEach = () => {
    s.begin.run();
    redeemOne();
    s.commit.run();
  };
  const batched = () => {
    s.begin.run();
    for (let i = 0; i < BATCH; i++) redeemOne();
    s.commit.run();
  };
  return { single: () => measureSync(commitEach, 1), batched: () => measureSync(batched, BATCH), close: () => db.close() };
}

/**
 * PostgreSQL: a redemption in one statement (the guarded update, the package's sequence and state, the
 * redemption and the event, as data-modifying CTEs), after the business read: two round trips, the fewest pg
 * allows (it does not pipeline). `single` commits each on CONCURRENCY connections; `batched` runs BATCH of
 * them per commit on CONCURRENCY / 4 connections.
 */
const REDEEM_STATEMENT = `with consumed as (
    update package_items set used = used + 1, remaining = remaining - 1
    where company_id = $1 and package_id = $2 and item_id = $3 and remaining >= 1 returning remaining),
  pkg as (
    update packages set event_seq = event_seq + 1, updated_at = $4, units_left = consumed.remaining, service_units_left = consumed.remaining
    from consumed where company_id = $1 and package_id = $2 returning event_seq),
  redemption as (
    insert into redemptions (${REDEMPTION_COLUMNS})
    select $1, $5, $2, $3, 'srv_1', 1, 'bus_1', null, null, 'COMMITTED', $4, null, 1000, $4, $4 from consumed)
  insert into package_events (${EVENT_COLUMNS})
  select $1, $2, pkg.event_seq, $6, 'REDEEMED', $4, $4, 'bus_1', 'master', null, $5, $3, 1, -1000, 0, 0, consumed.remaining, '{}' from pkg, consumed`;

async function rawPostgres(url, companyId, packageIds) {
  const connections = CONCURRENCY;
  const pool = new pg.Pool({ connectionString: url, max: connections });
  const items = new Map();
  for (const p of packageIds) items.set(p, (await pool.query('select item_id from package_items where company_id = $1 and package_id = $2', [companyId, p])).rows[0].item_id);
  let next = 0;
  const redeemOne = async (c, packageId = packageIds[next++ % packageIds.length]) => {
    await c.query({ name: 'business', text: 'select * from businesses where company_id = $1 and business_id = $2', values: [companyId, 'bus_1'] });
    const r = await c.query({ name: 'redeem', text: REDEEM_STATEMENT, values: [companyId, packageId, items.get(packageId), Date.now(), id('red'), id('evt')] });
    if (r.rowCount !== 1) throw new Error('guard');
  };
  const onConnection = async (fn) => {
    const c = await pool.connect();
    try {
      return await fn(c);
    } finally {
      c.release();
    }
  };
  // Each connection on packages of its own, in one order: transactions that lock many rows in different orders deadlock.
  const batched = (c, own) => async () => {
    await c.query('begin');
    for (let i = 0; i < BATCH; i++) await redeemOne(c, own[i % own.length]);
    await c.query('commit');
  };
  const batchers = Math.max(1, connections / 4);
  const ownPackages = (k) => packageIds.filter((_, i) => i % batchers === k);
  return {
    // One client per loop, held for the whole measurement, so no loop waits on the pool.
    single: () => Promise.all(Array.from({ length: connections }, () => onConnection((c) => measure(1, () => redeemOne(c))))).then(sum),
    batched: () =>
      Promise.all(Array.from({ length: batchers }, (_, k) => onConnection(async (c) => measure(1, batched(c, ownPackages(k)))))).then((rs) => sum(rs, BATCH)),
    close: () => pool.end(),
  };
}

/** Loops measured side by side: their rates added (times `per` redemptions an operation). */
const sum = (results, per = 1) => ({ perSecond: results.reduce((n, r) => n + r.perSecond, 0) * per });

// Each caller works on packages of its own, as at a busy counter; all on one package would measure the row lock.
async function run(engine, databaseUrl) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-bench-'));
  const { db, store, deps, companyId, sell } = await setup(databaseUrl, dataDir);
  const appPackages = [];
  const rawPackages = [];
  for (let i = 0; i < CONCURRENCY; i++) appPackages.push((await sell()).id);
  for (let i = 0; i < CONCURRENCY; i++) rawPackages.push((await sell()).id);

  let next = 0;
  const appOnce = () => redeem(deps, master, companyId, appPackages[next++ % appPackages.length], { serviceId: 'srv_1', quantity: 1, businessId: 'bus_1' });
  const raw = engine === 'sqlite' ? rawSqlite(path.join(dataDir, 'punchcard.db'), companyId, rawPackages) : await rawPostgres(databaseUrl, companyId, rawPackages);

  // warm-up, then alternate so that neither side gets the quieter moment
  await measure(CONCURRENCY, appOnce);
  const rounds = { punchcard: [], idle: [], raw: [], rawBatched: [] };
  for (let round = 0; round < ROUNDS; round++) {
    rounds.punchcard.push(await batchSizes(store, () => measure(CONCURRENCY, appOnce)));
    rounds.rawBatched.push(await raw.batched());
    rounds.idle.push(await batchSizes(store, () => measure(1, appOnce)));
    rounds.raw.push(await raw.single());
  }
  await raw.close();
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const best = (list) => list.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const punchcard = best(rounds.punchcard);
  const rawBatched = best(rounds.rawBatched);
  return {
    engine,
    punchcard,
    idle: best(rounds.idle),
    raw: best(rounds.raw),
    rawBatched,
    ratio: Number((punchcard.perSecond / rawBatched.perSecond).toFixed(3)),
    rounds,
  };
}

const results = [await run('sqlite', null)];
if (process.env.BENCH_DATABASE_URL) results.push(await run('postgres', process.env.BENCH_DATABASE_URL));
for (const r of results) {
  console.log(
    `${r.engine}: punchcard ${r.punchcard.perSecond} redemptions/s (p99 ${r.punchcard.p99Ms} ms, batches of ${r.punchcard.batches?.mean} on average) ` +
      `vs batched raw loop ${r.rawBatched.perSecond}/s: ratio ${r.ratio} (target ≥ ${TARGET}); raw loop committing each ${r.raw.perSecond}/s; ` +
      `one caller alone: ${r.idle.perSecond}/s, p50 ${r.idle.p50Ms} ms, p99 ${r.idle.p99Ms} ms (batches of ${r.idle.batches?.mean})`,
  );
}
const summary = results.map((r) => `${r.engine} ${r.punchcard.perSecond}/s vs batched raw ${r.rawBatched.perSecond}/s = ${r.ratio}; idle p50 ${r.idle.p50Ms} ms`).join('; ');
writeResults('redeem', null, {
  name: 'redeem',
  summary,
  pass: results.every((r) => r.ratio >= TARGET),
  target: TARGET,
  seconds: SECONDS,
  concurrency: CONCURRENCY,
  batch: BATCH,
  results,
  time: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
});
