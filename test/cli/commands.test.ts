// migrate, demo, verify and serve through the built CLI on each engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';
import { freePort } from '../support/server-process.js';
import { linesOf, runCli, spawnCli } from './cli.js';

describe.each(ENGINES)('the command line on %s', (engine) => {
  describe('migrate, demo and verify', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase(engine);
    });
    afterAll(() => db.drop());

    it('migrates an empty database once, then finds it up to date', async () => {
      const first = await runCli(db, ['migrate']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^applied: 001_foundation, 002_packages, /);
      const again = await runCli(db, ['migrate']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout.trim()).toBe('the schema is up to date');
    });

    it('fills a company with demo data that verifies without drift', async () => {
      const demo = await runCli(db, ['demo', '--company', 'cmp_cli_demo']);
      expect(demo.code, demo.stderr).toBe(0);
      expect(demo.stdout).toContain('demo data in cmp_cli_demo: 2 businesses, 5 customers, 4 services, 1 product, 3 templates, 8 packages in every state');

      const verify = await runCli(db, ['verify', '--company', 'cmp_cli_demo']);
      expect(verify.code, verify.stderr).toBe(0);
      expect(linesOf(verify.stdout)).toEqual([expect.stringMatching(/^verified 8 packages and \d+ events: 0 drifts$/)]);
      // Not a terminal: no progress bar, the summary alone.
      expect(verify.stderr).toBe('');

      const all = await runCli(db, ['verify']);
      expect(all.code, all.stderr).toBe(0);
      expect(all.stdout).toMatch(/verified 8 packages/);
    });

    it('reports a stored balance the history disagrees with, exiting 1 with one line on stderr', async () => {
      await runCli(db, ['demo', '--company', 'cmp_cli_drift']);
      const conn = await db.open();
      try {
        const item = await conn.kysely.selectFrom('package_items').select(['package_id', 'item_id', 'used']).where('company_id', '=', 'cmp_cli_drift').where('remaining', '>', 0).executeTakeFirstOrThrow();
        await conn.kysely
          .updateTable('package_items')
          .set((eb) => ({ used: eb('used', '+', 1), remaining: eb('remaining', '-', 1) }))
          .where('company_id', '=', 'cmp_cli_drift')
          .where('item_id', '=', item.item_id)
          .execute();
        const r = await runCli(db, ['verify', '--company', 'cmp_cli_drift']);
        expect(r.code).toBe(1);
        expect(r.stdout).toContain(`DRIFT cmp_cli_drift/${item.package_id} ${item.item_id}.used: stored ${item.used + 1}, ledger ${item.used}`);
        expect(r.stdout).toMatch(/: [1-9]\d* drifts?$/m);
        expect(linesOf(r.stderr)).toEqual([expect.stringMatching(/^punchcard: \d+ drifts? between the stored balances and the history$/)]);
      } finally {
        await conn.close();
      }
    });

    it('serves the API as npm start does, and stops on SIGTERM', async () => {
      const port = await freePort();
      const server = spawnCli(db, ['serve'], { PORT: String(port), GRPC_PORT: String(await freePort()), HOST: '127.0.0.1', PUNCHCARD_MASTER_KEY: 'cli-test-master-key-0123' });
      try {
        let ready: { status?: string; engine?: string } = {};
        for (let tries = 0; tries < 200 && ready.status !== 'ready'; tries++) {
          await new Promise((r) => setTimeout(r, 100));
          ready = await fetch(`http://127.0.0.1:${port}/readyz`)
            .then((r) => r.json() as Promise<typeof ready>)
            .catch(() => ({}));
        }
        expect(ready, server.output()).toEqual({ status: 'ready', engine });
        expect(server.output()).toContain(`Punchcard is running at http://localhost:${port}`);
      } finally {
        expect(await server.stop()).toBe(0);
      }
    });
  });
});
