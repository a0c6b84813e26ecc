// Backup while writers run: a server process sells and redeems in a loop while `punchcard backup` copies the
// database; the copy, restored into a fresh empty database, verifies without drift and holds every write that
// was acknowledged before the backup started. A restore into a database that holds anything needs --force.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/bootstrap.js';
import { backup } from '../../src/cli/backup.js';
import { systemClock } from '../../src/domain/clock.js';
import { ENGINES } from '../support/engines.js';
import { seedCompany, startServer, type ServerProcess } from '../support/server-process.js';
import { createWholeDatabase, linesOf, runCli, type CliDatabase } from './cli.js';

const COMPANY = 'cmp_backup';

interface Ack {
  readonly packageId: string;
  /** Set once the redemption was answered 200. */
  redemptionId?: string;
  readonly soldAt: number;
  redeemedAt?: number;
}

const configOf = (db: CliDatabase) => loadConfig({ PUNCHCARD_DATA_DIR: db.dataDir, ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}) });

/** What a restored database holds of the acknowledged writes: packages found, and redemptions found in their history. */
async function presentIn(db: CliDatabase, acks: readonly Ack[]) {
  const { store } = await openStore(configOf(db));
  try {
    const missing: string[] = [];
    for (const a of acks) {
      const pkg = await store.read.packages.get(COMPANY, a.packageId);
      if (!pkg) {
        missing.push(`package ${a.packageId}`);
        continue;
      }
      if (a.redemptionId === undefined) continue;
      const events = await store.read.events.all(COMPANY, a.packageId);
      if (!events.some((e) => e.type === 'REDEEMED' && e.redemptionId === a.redemptionId)) missing.push(`redemption ${a.redemptionId}`);
    }
    return { missing, packages: await store.read.packages.count(COMPANY, { asOf: Date.now() }) };
  } finally {
    await store.close();
  }
}

describe.each(ENGINES)('backup and restore on %s', (engine) => {
  let source: Awaited<ReturnType<typeof createWholeDatabase>>;
  let restored: Awaited<ReturnType<typeof createWholeDatabase>>;
  let server: ServerProcess;
  const file = () => `${source.dataDir}/backup.${engine === 'sqlite' ? 'db' : 'dump'}`;

  beforeAll(async () => {
    source = await createWholeDatabase(engine);
    restored = await createWholeDatabase(engine);
    server = await startServer({ databaseUrl: source.databaseUrl, dataDir: source.dataDir });
  });
  afterAll(async () => {
    await server?.stop();
    await source?.drop();
    await restored?.drop();
  });

  it('takes a consistent backup while writers sell and redeem, holding every write acknowledged before it began', async () => {
    const { call, base } = await seedCompany(server.url, COMPANY, 1000);
    const acks: Ack[] = [];
    let writing = true;
    const failures: string[] = [];
    const writer = async () => {
      while (writing) {
        const sold = await call('POST', `${base}/packages:sell`, { templateId: 'tpl_1', customerId: 'cus_1', businessId: 'bus_1' });
        if (sold.status !== 200) {
          failures.push(`sell ${sold.status} ${JSON.stringify(sold.json)}`);
          continue;
        }
        const ack: Ack = { packageId: sold.json.packageInfo.id, soldAt: Date.now() };
        acks.push(ack);
        const redeemed = await call('POST', `${base}/packages/${ack.packageId}:redeem`, { serviceId: 'srv_1', quantity: 1, businessId: 'bus_1' });
        if (redeemed.status !== 200) failures.push(`redeem ${redeemed.status} ${JSON.stringify(redeemed.json)}`);
        else {
          ack.redemptionId = redeemed.json.redemption.id;
          ack.redeemedAt = Date.now();
        }
      }
    };
    const writers = [writer(), writer(), writer()];
    await new Promise((r) => setTimeout(r, 1500));

    const backupStartedAt = Date.now();
    const backup = await runCli(source, ['backup', '--out', file()]);
    const backupEndedAt = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    writing = false;
    await Promise.all(writers);

    expect(failures).toEqual([]);
    expect(backup.code, backup.stderr).toBe(0);
    // Under 1 MB in whole KB, from 1 MB on in MB with one decimal (busy writers can take it past 1 MB).
    expect(backup.stdout).toMatch(new RegExp(`^backed up .* to ${file()} \\((\\d+ KB|\\d+\\.\\d MB), `));
    // The writers were at it before, during and after the backup.
    expect(acks.filter((a) => a.soldAt < backupStartedAt).length).toBeGreaterThan(5);
    expect(acks.filter((a) => a.soldAt > backupEndedAt).length).toBeGreaterThan(0);

    const restore = await runCli(restored, ['restore', file()]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/^restored .* into /);

    const verify = await runCli(restored, ['verify']);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/: 0 drifts$/m);

    const before = acks
      .filter((a) => a.soldAt < backupStartedAt)
      .map((a) => (a.redeemedAt !== undefined && a.redeemedAt < backupStartedAt ? a : { packageId: a.packageId, soldAt: a.soldAt }));
    const found = await presentIn(restored, before);
    expect(found.missing).toEqual([]);
    // Nothing the backup did not see is made up: at most what was acknowledged by its end, and the writes in flight.
    expect(found.packages).toBeGreaterThanOrEqual(before.length);
    expect(found.packages).toBeLessThanOrEqual(acks.filter((a) => a.soldAt <= backupEndedAt).length + 3);
  }, 60_000);

  it('refuses to restore into a database that is not empty, changing nothing, and replaces it with --force', async () => {
    const marker = await runCli(restored, ['keys', 'create', '--company', COMPANY, '--name', 'made after the restore']);
    expect(marker.code, marker.stderr).toBe(0);
    const packagesBefore = (await presentIn(restored, [])).packages;

    const refused = await runCli(restored, ['restore', file()]);
    expect(refused.code).toBe(1);
    expect(linesOf(refused.stderr)).toEqual([expect.stringMatching(/^punchcard: .* is not empty \(.*companies has rows\): restore refuses to overwrite it; pass --force/)]);
    expect(refused.stdout).toBe('');
    expect((await runCli(restored, ['keys', 'list', '--company', COMPANY])).stdout).toContain('made after the restore');
    expect((await presentIn(restored, [])).packages).toBe(packagesBefore);

    const forced = await runCli(restored, ['restore', file(), '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await runCli(restored, ['keys', 'list', '--company', COMPANY])).stdout).not.toContain('made after the restore');
    const verify = await runCli(restored, ['verify']);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/: 0 drifts$/m);
  }, 60_000);

  it("refuses a file that is not a backup, or another engine's backup, with one line", async () => {
    const junk = `${source.dataDir}/junk.bin`;
    fs.writeFileSync(junk, 'hello, not a backup');
    const r = await runCli(restored, ['restore', junk, '--force']);
    expect(r.code).toBe(1);
    expect(linesOf(r.stderr)).toEqual([expect.stringMatching(/^punchcard: .*junk\.bin is not a Punchcard backup/)]);
    const other = `${source.dataDir}/other-engine.bin`;
    fs.writeFileSync(other, engine === 'sqlite' ? 'PGDMP\u0001\u000e\u0000 a dump' : 'SQLite format 3\u0000 a database');
    const mismatch = await runCli(restored, ['restore', other, '--force']);
    expect(mismatch.code).toBe(1);
    expect(linesOf(mismatch.stderr)).toEqual([
      expect.stringMatching(engine === 'sqlite' ? /is a PostgreSQL backup, but DATABASE_URL is not set/ : /is an SQLite backup, but DATABASE_URL selects PostgreSQL/),
    ]);
    const missing = await runCli(restored, ['restore', `${source.dataDir}/nothing-here.db`]);
    expect(missing.code).toBe(1);
    expect(linesOf(missing.stderr)).toEqual([expect.stringMatching(/^punchcard: cannot read .*nothing-here\.db: no such file$/)]);
  });
});

describe('the SQLite backup overtaken by writers', () => {
  let db: Awaited<ReturnType<typeof createWholeDatabase>>;
  beforeAll(async () => {
    db = await createWholeDatabase('sqlite');
  });
  afterAll(() => db.drop());

  it('starts its copy again in one step when a write lands between two steps, and finishes with every earlier write', async () => {
    const { store } = await openStore(configOf(db));
    try {
      const now = systemClock.now();
      await store.transaction((repos) => repos.companies.insert({ id: COMPANY, name: 'Backup', createTime: now, updateTime: now }));
      const customer = (id: string) => ({ companyId: COMPANY, id, firstName: 'Ada', lastName: `Lovelace ${'x'.repeat(500)}`, email: null, phone: null, createTime: now, updateTime: now });
      // Enough rows for a few hundred pages, so a copy of one page a step takes many steps.
      await store.transaction(async (repos) => {
        for (let i = 0; i < 2000; i++) await repos.customers.upsert(customer(`cus_before_${i}`));
      });
      let writing = true;
      let written = 0;
      const writer = (async () => {
        while (writing) {
          await store.transaction((repos) => repos.customers.upsert(customer(`cus_during_${written}`)));
          written++;
          await new Promise((r) => setImmediate(r));
        }
      })();
      const out = path.join(db.dataDir, 'overtaken.db');
      const said = await backup(out, configOf(db), { pagesPerStep: 1 });
      writing = false;
      await writer;

      expect(said).toMatch(/^backed up the database in .* to .*overtaken\.db/);
      expect(written).toBeGreaterThan(0);
      const copy = new SQLite(out, { readonly: true });
      try {
        expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
        expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
        const count = (like: string) => (copy.prepare('SELECT COUNT(*) AS n FROM customers WHERE customer_id LIKE ?').get(like) as { n: number }).n;
        expect(count('cus_before_%')).toBe(2000);
      } finally {
        copy.close();
      }
      expect(fs.readdirSync(db.dataDir).filter((f) => f.includes('partial'))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
