// The keys command as a newcomer runs it (`npm run keys -- …`, `punchcard keys …`): the built CLI, against the
// database its environment names, on each engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/bootstrap.js';
import { systemClock } from '../../src/domain/clock.js';
import type { Deps } from '../../src/application/context.js';
import { firstStart } from '../../src/application/first-start.js';
import { authenticate } from '../../src/application/keys.js';
import type { Principal } from '../../src/domain/access.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';
import { runCli } from './cli.js';

describe.each(ENGINES)('the keys command on %s', (engine) => {
  let db: TestDatabase;
  let demoKey: string;

  const configOf = () => loadConfig({ PUNCHCARD_DATA_DIR: db.dataDir, ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}) });
  const keys = (...args: string[]) => runCli(db, ['keys', ...args]);

  /** Opens the same database the CLI used and asks who a key is. */
  async function whoIs(key: string): Promise<Principal | string> {
    const { store } = await openStore(configOf());
    try {
      return await authenticate({ store, clock: systemClock, masterKey: null }, key);
    } catch (error) {
      return (error as Error).message;
    } finally {
      await store.close();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    const { store } = await openStore(configOf());
    const deps: Deps = { store, clock: systemClock, masterKey: null };
    const demo = await firstStart(deps);
    await store.close();
    if (!demo) throw new Error('first start created nothing');
    demoKey = demo.key;
  });

  afterAll(() => db.drop());

  it('creates a STAFF key that authenticates, printing it once', async () => {
    const r = await keys('create', '--company', 'cmp_demo', '--role', 'STAFF');
    expect(r.code).toBe(0);
    const id = /created (key_[0-9A-Z]+) \(STAFF\) for cmp_demo/.exec(r.stdout)?.[1];
    const key = /^\s+(pck\.cmp_demo\.\S+)$/m.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(key).toBeDefined();
    expect(await whoIs(key!)).toMatchObject({ kind: 'key', companyId: 'cmp_demo', keyId: id, role: 'STAFF' });
  });

  it('creates an ADMIN key by default', async () => {
    const r = await keys('create', '--company', 'cmp_demo');
    const key = /^\s+(pck\.\S+)$/m.exec(r.stdout)![1]!;
    expect(await whoIs(key)).toMatchObject({ role: 'ADMIN' });
  });

  it('lists keys with ids, roles and prefixes, never the keys', async () => {
    const created = await keys('create', '--company', 'cmp_demo', '--role', 'VIEWER');
    const id = /created (key_\S+)/.exec(created.stdout)![1]!;
    const key = /^\s+(pck\.\S+)$/m.exec(created.stdout)![1]!;

    const r = await keys('list', '--company', 'cmp_demo');

    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith(id));
    expect(line).toMatch(new RegExp(`^${id}\\s+VIEWER\\s+pck\\.cmp_demo\\.\\S+…\\s+active$`));
    expect(r.stdout).not.toContain(key);
    expect(r.stdout).not.toContain(key.split('.')[2]!);
    expect(r.stdout).not.toContain(demoKey.split('.')[2]!);
    // The first-start key is there too.
    expect(r.stdout.split('\n').filter((l) => /\sADMIN\s/.test(l)).length).toBeGreaterThanOrEqual(1);
  });

  it('names a key with --name, printing and listing the name', async () => {
    const r = await keys('create', '--company', 'cmp_demo', '--role', 'STAFF', '--name', 'Front desk iPad');
    expect(r.code, r.stderr).toBe(0);
    const id = /created (key_[0-9A-Z]+) "Front desk iPad" \(STAFF\) for cmp_demo/.exec(r.stdout)?.[1];
    const key = /^\s+(pck\.cmp_demo\.\S+)$/m.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(await whoIs(key!)).toMatchObject({ keyId: id, name: 'Front desk iPad', role: 'STAFF' });

    const list = await keys('list', '--company', 'cmp_demo');

    expect(list.stdout.split('\n').find((l) => l.startsWith(id!))).toMatch(new RegExp(`^${id}\\s+STAFF\\s+pck\\.cmp_demo\\.\\S+…\\s+active\\s+Front desk iPad$`));
    // The first-start key is named too.
    expect(list.stdout).toMatch(/\sADMIN\s.*\sactive\s+Demo admin$/m);
  });

  it('refuses a name over 200 characters with exit code 2, issuing nothing', async () => {
    const before = (await keys('list', '--company', 'cmp_demo')).stdout.trim().split('\n').length;
    const r = await keys('create', '--company', 'cmp_demo', '--name', 'x'.repeat(201));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--name: at most 200 characters/);
    expect(r.stdout).not.toMatch(/pck\./);
    expect((await keys('list', '--company', 'cmp_demo')).stdout.trim().split('\n').length).toBe(before);
  });

  it('revokes a key by id, at once', async () => {
    const created = await keys('create', '--company', 'cmp_demo', '--role', 'STAFF');
    const id = /created (key_\S+)/.exec(created.stdout)![1]!;
    const key = /^\s+(pck\.\S+)$/m.exec(created.stdout)![1]!;
    expect(await whoIs(key)).toMatchObject({ keyId: id });

    const r = await keys('revoke', '--company', 'cmp_demo', '--id', id);

    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`revoked ${id}`);
    expect(await whoIs(key)).toMatch(/revoked/);
    expect((await keys('list', '--company', 'cmp_demo')).stdout).toMatch(new RegExp(`^${id}\\s.*\\srevoked$`, 'm'));
    // The others still work.
    expect(await whoIs(demoKey)).toMatchObject({ companyId: 'cmp_demo', role: 'ADMIN' });
  });

  it('refuses an unknown company, role or key id, and a missing --company, with exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['create', '--company', 'cmp_nope'], /company cmp_nope does not exist/],
      [['create', '--company', 'cmp_demo', '--role', 'OWNER'], /--role must be one of ADMIN, STAFF, VIEWER/],
      [['create'], /required option '--company <id>' not specified/],
      [['revoke', '--company', 'cmp_demo', '--id', 'key_nope'], /no key key_nope/],
      [['revoke', '--company', 'cmp_demo'], /required option '--id <keyId>' not specified/],
      [['frobnicate', '--company', 'cmp_demo'], /unknown command 'frobnicate'/],
      [[], /Usage: punchcard keys/],
    ];
    for (const [args, message] of cases) {
      const r = await keys(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      if (args.length > 0) expect(r.stderr.trim().split('\n'), args.join(' ')).toEqual([expect.stringMatching(/^punchcard: /)]);
      expect(r.stdout, args.join(' ')).not.toMatch(/pck\./);
    }
  });
});
