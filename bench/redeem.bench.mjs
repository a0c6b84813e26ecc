// Redemptions per second through Punchcard's use case (validation, rules, guarded update, ledger entry, in one
// transaction) against a raw driver loop issuing the same SQL statements, side by side in one run, per engine.
// Target: Punchcard at ≥ 0.7 of the raw loop. Both write with the same durability (SQLite WAL + synchronous=FULL;
// PostgreSQL with fsync on).
//
// Env: BENCH_SECONDS (default 8) per measurement, BENCH_CONCURRENCY (16) concurrent redeemers,
// BENCH_DATABASE_URL (postgres://…) to add PostgreSQL; SQLite always runs, in a temporary directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { benchCompany, master, measure as measureFor } from './lib/ledger.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(path.dirname(here), 'dist', 'src');
const load = (p) => import(path.join(dist, p));
const { openDatabase } = await load('storage/database.js');
const { migrate } = await load('storage/migrate.js');
const { createStore } = await load('storage/store.js');
const { systemClock } = await load('domain/clock.js');
const { redeem } = await load('application/redemption.js');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TARGET = 0.7;
const id = (p) => `${p}_${randomBytes(8).toString('hex')}`;

async function setup(databaseUrl, dataDir) {
  const db = await openDatabase({ databaseUrl, dataDir, poolSize: CONCURRENCY });
  await migrate(db);
  const store = createStore(db);
  const deps = { store, clock: systemClock, masterKey: null };
  const { companyId, sell } = await benchCompany(deps);
  return { db, deps, companyId, sell };
}

const measure = (workers, once) => measureFor(SECONDS, workers, once);

// ---- the raw loops: the statements Punchcard's redeem issues, in the same order, without the layers ----

/** The package's state and derived columns, written once at the end of every change (PackageRepo.saveState). */
const SAVE_STATE = `update packages set start_time = $1, end_time = $2, freeze_start_date = $3, freeze_end_date = $4, freeze_reason = $5,
  freeze_keep_end_time = $6, cancelled_at = $7, refund_minor = $8, expired_at = $9, event_seq = $10, updated_at = $11, grace_end_time = $12,
  freeze_start_time = $13, freeze_end_time = $14, units_left = $15, service_units_left = $16 where company_id = $17 and package_id = $18`;
const saveStateValues = (pkg, now, left, companyId, packageId) => [
  pkg.start_time, pkg.end_time, pkg.freeze_start_date, pkg.freeze_end_date, pkg.freeze_reason, pkg.freeze_keep_end_time, pkg.cancelled_at,
  pkg.refund_minor, pkg.expired_at, pkg.event_seq, now, pkg.grace_end_time, pkg.freeze_start_time, pkg.freeze_end_time, left, left, companyId, packageId,
];

function rawSqlite(file, companyId, packageId) {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const s = {
    business: db.prepare('select * from businesses where company_id = ? and business_id = ?'),
    lock: db.prepare('update packages set event_seq = event_seq + 1 where company_id = ? and package_id = ? returning *'),
    items: db.prepare('select * from package_items where company_id = ? and package_id in (?)'),
    pending: db.prepare(`select r.*, p.currency from redemptions as r inner join packages as p on p.company_id = r.company_id and p.package_id = r.package_id
      where r.company_id = ? and r.package_id = ? and r.status = ? order by r.redemption_id`),
    consume: db.prepare('update package_items set used = used + ?, remaining = remaining - ? where company_id = ? and package_id = ? and item_id = ? and remaining >= ?'),
    redemption: db.prepare(`insert into redemptions (company_id, redemption_id, package_id, item_id, service_id, quantity, business_id, staff_id, appointment_id,
      status, redeem_time, hold_expire_time, value_minor, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    event: db.prepare(`insert into package_events (company_id, package_id, seq, event_id, type, time, recorded_at, business_id, actor_key_id, actor_staff_id,
      redemption_id, item_id, quantity, value_delta_minor, breakage_delta_minor, refund_minor, total_remaining_after, data) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    finish: db.prepare(SAVE_STATE.replace(/\$\d+/g, '?')),
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
  };
  const once = () => {
    const now = Date.now();
    s.business.get(companyId, 'bus_1');
    s.begin.run();
    const pkg = s.lock.get(companyId, packageId);
    const item = s.items.all(companyId, packageId)[0];
    s.pending.all(companyId, packageId, 'PENDING');
    if (s.consume.run(1, 1, companyId, packageId, item.item_id, 1).changes !== 1) throw new Error('guard');
    const rid = id('red');
    s.redemption.run(companyId, rid, packageId, item.item_id, 'srv_1', 1, 'bus_1', null, null, 'COMMITTED', now, null, 1000, now, now);
    s.event.run(companyId, packageId, pkg.event_seq, id('evt'), 'REDEEMED', now, now, 'bus_1', 'master', null, rid, item.item_id, 1, -1000, 0, 0, item.remaining - 1, '{}');
    s.finish.run(...saveStateValues(pkg, now, item.remaining - 1, companyId, packageId));
    s.commit.run();
  };
  // better-sqlite3 is synchronous: one loop is all the concurrency a single connection has.
  return { once: async () => once(), workers: 1, close: () => db.close() };
}

function rawPostgres(url, companyId, packageId) {
  const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY });
  const once = async () => {
    const now = Date.now();
    await pool.query('select * from "businesses" where "company_id" = $1 and "business_id" = $2', [companyId, 'bus_1']);
    const c = await pool.connect();
    try {
      await c.query('begin');
      const pkg = (await c.query('update "packages" set "event_seq" = event_seq + 1 where "company_id" = $1 and "package_id" = $2 returning *', [companyId, packageId])).rows[0];
      const item = (await c.query('select * from "package_items" where "company_id" = $1 and "package_id" in ($2)', [companyId, packageId])).rows[0];
      const pendingSql = `select "r".*, "p"."currency" from "redemptions" as "r" inner join "packages" as "p" on "p"."company_id" = "r"."company_id" and "p"."package_id" = "r"."package_id"
        where "r"."company_id" = $1 and "r"."package_id" = $2 and "r"."status" = $3 order by "r"."redemption_id"`;
      await c.query(pendingSql, [companyId, packageId, 'PENDING']);
      const moved = await c.query('update "package_items" set "used" = used + $1, "remaining" = remaining - $2 where "company_id" = $3 and "package_id" = $4 and "item_id" = $5 and remaining >= $6', [1, 1, companyId, packageId, item.item_id, 1]);
      if (moved.rowCount !== 1) throw new Error('guard');
      const rid = id('red');
      await c.query(
        `insert into "redemptions" ("company_id", "redemption_id", "package_id", "item_id", "service_id", "quantity", "business_id", "staff_id", "appointment_id", "status", "redeem_time", "hold_expire_time", "value_minor", "created_at", "updated_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [companyId, rid, packageId, item.item_id, 'srv_1', 1, 'bus_1', null, null, 'COMMITTED', now, null, 1000, now, now],
      );
      await c.query(
        `insert into "package_events" ("company_id", "package_id", "seq", "event_id", "type", "time", "recorded_at", "business_id", "actor_key_id", "actor_staff_id", "redemption_id", "item_id", "quantity", "value_delta_minor", "breakage_delta_minor", "refund_minor", "total_remaining_after", "data") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
        [companyId, packageId, pkg.event_seq, id('evt'), 'REDEEMED', now, now, 'bus_1', 'master', null, rid, item.item_id, 1, -1000, 0, 0, Number(item.remaining) - 1, '{}'],
      );
      await c.query(SAVE_STATE, saveStateValues(pkg, now, Number(item.remaining) - 1, companyId, packageId));
      await c.query('commit');
    } catch (error) {
      await c.query('rollback');
      throw error;
    } finally {
      c.release();
    }
  };
  return { once, workers: CONCURRENCY, close: () => pool.end() };
}

// Each redeemer works on a package of its own, as at a busy counter; all on one package would measure the
// row lock, the same for both loops.
async function run(engine, databaseUrl) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-bench-'));
  const { db, deps, companyId, sell } = await setup(databaseUrl, dataDir);
  const appPackages = [];
  const rawPackages = [];
  const workers = engine === 'sqlite' ? CONCURRENCY : CONCURRENCY;
  for (let i = 0; i < workers; i++) appPackages.push((await sell()).id);
  for (let i = 0; i < workers; i++) rawPackages.push((await sell()).id);

  let next = 0;
  const appOnce = () => redeem(deps, master, companyId, appPackages[next++ % appPackages.length], { serviceId: 'srv_1', quantity: 1, businessId: 'bus_1' });
  const raw = engine === 'sqlite' ? rawSqlite(path.join(dataDir, 'punchcard.db'), companyId, rawPackages[0]) : rawPostgres(databaseUrl, companyId, rawPackages[0]);
  let rawNext = 0;
  const rawLoops = engine === 'sqlite' ? [raw] : rawPackages.map((p) => rawPostgres(databaseUrl, companyId, p));
  const rawOnce = engine === 'sqlite' ? raw.once : () => rawLoops[rawNext++ % rawLoops.length].once();

  // warm-up, then alternate so that neither side gets the quieter moment
  await measure(2, appOnce).catch(() => 0);
  const app = [];
  const base = [];
  for (let round = 0; round < 2; round++) {
    app.push(await measure(CONCURRENCY, appOnce));
    base.push(await measure(engine === 'sqlite' ? 1 : CONCURRENCY, rawOnce));
  }
  for (const r of new Set([raw, ...rawLoops])) await r.close();
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const appRate = Math.max(...app);
  const rawRate = Math.max(...base);
  return { engine, punchcardPerSecond: appRate, rawPerSecond: rawRate, ratio: Number((appRate / rawRate).toFixed(3)), rounds: { punchcard: app, raw: base } };
}

const results = [await run('sqlite', null)];
if (process.env.BENCH_DATABASE_URL) results.push(await run('postgres', process.env.BENCH_DATABASE_URL));
for (const r of results) {
  console.log(`${r.engine}: punchcard ${r.punchcardPerSecond} redemptions/s vs raw driver loop ${r.rawPerSecond}/s: ratio ${r.ratio} (target ≥ ${TARGET})`);
}
const summary = results.map((r) => `${r.engine} ${r.punchcardPerSecond}/s vs raw ${r.rawPerSecond}/s = ${r.ratio}`).join('; ');
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
fs.writeFileSync(
  path.join(here, 'results', 'redeem.json'),
  JSON.stringify(
    { name: 'redeem', summary, pass: results.every((r) => r.ratio >= TARGET), target: TARGET, seconds: SECONDS, concurrency: CONCURRENCY, results, time: new Date().toISOString(), node: process.version, cpus: os.cpus().length },
    null,
    2,
  ) + '\n',
);
