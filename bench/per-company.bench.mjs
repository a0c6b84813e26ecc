// What visiting every company costs (issue 13): the background work goes company by company, so that every
// statement is about one company (docs/citus.md), and its rounds grow with the number of companies. With
// BENCH_COMPANIES companies (default 1,000), one pending webhook message in every tenth: a dispatcher's full
// pass (one read per company), a claim of every company (one transaction each: why the dispatcher does not
// claim every company every poll), the webhook stats of /metrics, and a sweeper round with nothing due. Each
// is the best of three runs. The targets: a full pass well within its 10 s period (≤ 5 s), the stats within a
// scrape (≤ 5 s), a sweeper round within its 5 s interval.
//
// Env: BENCH_COMPANIES (1000), BENCH_DATABASE_URL (postgres://…; unset: SQLite), BENCH_RESULTS_DIR.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../dist/src/storage/database.js';
import { migrate } from '../dist/src/storage/migrate.js';
import { createStore } from '../dist/src/storage/store.js';
import { sweepExpiredPackages, sweepLapsedHolds } from '../dist/src/application/sweeper.js';
import { benchSchema } from './lib/pg-schema.mjs';
import { writeResults } from './lib/results.mjs';

const NAME = 'per-company';
const COMPANIES = Number(process.env.BENCH_COMPANIES ?? 1000);
const DATABASE_URL = process.env.BENCH_DATABASE_URL || null;
const T0 = Date.parse('2026-03-10T15:00:00Z');
const BUDGET_MS = { fullPass: 5000, stats: 5000, sweeperRound: 5000 };

async function best(run) {
  let least = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await run();
    least = Math.min(least, performance.now() - started);
  }
  return Math.round(least * 10) / 10;
}

async function main() {
  const schema = DATABASE_URL ? await benchSchema(DATABASE_URL, 'bench_companies') : null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-bench-companies-'));
  const db = await openDatabase({ databaseUrl: schema?.url ?? null, dataDir });
  try {
    await migrate(db);
    const store = createStore(db);
    const ids = Array.from({ length: COMPANIES }, (_, n) => `cmp_${String(n).padStart(6, '0')}`);
    await db.transaction(async (trx) => {
      for (let n = 0; n < ids.length; n += 100) {
        await trx.insertInto('companies').values(ids.slice(n, n + 100).map((company_id) => ({ company_id, name: company_id, created_at: T0, updated_at: T0 }))).execute();
      }
    });
    await store.transaction(async (repos) => {
      for (const companyId of ids.filter((_, n) => n % 10 === 0)) {
        await repos.webhookMessages.insert([
          { companyId, id: `msg_${companyId}`, endpointId: 'whe_1', type: 'webhook.test', eventId: null, packageId: null, body: '{}', status: 'PENDING', attempts: 0, roundAttempts: 0, createTime: T0, nextAttemptTime: T0 + 60_000, lastAttemptTime: null, lastResponseStatus: 0 },
        ]);
      }
    });
    if (db.engine === 'postgres') await sql`ANALYZE companies, webhook_messages`.execute(db.kysely);
    const everyCompany = async (visit) => {
      for (let after = null; ; ) {
        const page = await store.read.companies.listIds(after, 500);
        for (const id of page) await visit(id);
        if (page.length < 500) return;
        after = page[page.length - 1];
      }
    };
    let found = 0;
    const fullPass = await best(async () => {
      found = 0;
      await everyCompany(async (id) => {
        if ((await store.read.webhookMessages.nextClaimable(id)) !== null) found++;
      });
    });
    if (found !== COMPANIES / 10) throw new Error(`the full pass found ${found} companies with work, not ${COMPANIES / 10}`);
    const claimEvery = await best(() => everyCompany((id) => store.transaction((repos) => repos.webhookMessages.claimDue(id, 'bench', T0, T0 + 15_000, 32))));
    const stats = await best(() => store.read.webhookMessages.stats());
    const deps = { store, clock: { now: () => T0 }, masterKey: null };
    const sweeperRound = await best(async () => {
      await sweepLapsedHolds(deps);
      await sweepExpiredPackages(deps);
    });
    const ms = { fullPass, claimEvery, stats, sweeperRound };
    const pass = fullPass <= BUDGET_MS.fullPass && stats <= BUDGET_MS.stats && sweeperRound <= BUDGET_MS.sweeperRound;
    const summary = `${db.engine}, ${COMPANIES} companies: dispatcher full pass ${fullPass} ms, a claim of every company ${claimEvery} ms, webhook stats ${stats} ms, sweeper round ${sweeperRound} ms`;
    const record = { name: NAME, summary, pass, engine: db.engine, companies: COMPANIES, ms, budgetMs: BUDGET_MS, time: new Date().toISOString(), machine: { node: process.version, cpus: os.cpus().length, loadAverage1m: os.loadavg()[0] } };
    writeResults(NAME, db.engine, record);
    console.log(summary);
  } finally {
    await db.close();
    await schema?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`${NAME}: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
});
