// The key CLI as a newcomer runs it: built to dist/, against the embedded database in PUNCHCARD_DATA_DIR.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/bootstrap.js';
import { systemClock } from '../../src/domain/clock.js';
import type { Deps } from '../../src/application/context.js';
import { firstStart } from '../../src/application/first-start.js';
import { authenticate } from '../../src/application/keys.js';
import type { Principal } from '../../src/domain/access.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = path.join(root, 'dist/src/cli/keys.js');

describe('the keys CLI on sqlite', () => {
  let dataDir: string;
  let demoKey: string;

  /** Runs the CLI; resolves with its output and exit code whatever the code. */
  async function keys(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, PUNCHCARD_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env, cwd: root, timeout: 20_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  /** Opens the same database the CLI used and asks who a key is. */
  async function whoIs(key: string): Promise<Principal | string> {
    const { store } = await openStore(loadConfig({ PUNCHCARD_DATA_DIR: dataDir }));
    try {
      return await authenticate({ store, clock: systemClock, masterKey: null }, key);
    } catch (error) {
      return (error as Error).message;
    } finally {
      await store.close();
    }
  }

  beforeAll(async () => {
    await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, timeout: 120_000 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-cli-'));
    const { store } = await openStore(loadConfig({ PUNCHCARD_DATA_DIR: dataDir }));
    const deps: Deps = { store, clock: systemClock, masterKey: null };
    const demo = await firstStart(deps);
    await store.close();
    if (!demo) throw new Error('first start created nothing');
    demoKey = demo.key;
  }, 180_000);

  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

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
      [['create'], /--company is required/],
      [['revoke', '--company', 'cmp_demo', '--id', 'key_nope'], /no key key_nope/],
      [['revoke', '--company', 'cmp_demo'], /--id is required/],
      [['frobnicate', '--company', 'cmp_demo'], /usage/],
      [[], /usage/],
    ];
    for (const [args, message] of cases) {
      const r = await keys(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout, args.join(' ')).not.toMatch(/pck\./);
    }
  });
});
