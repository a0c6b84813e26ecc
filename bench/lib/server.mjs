// The Punchcard server a bench measures: the built server (dist/src/main.js) as a process of its own on free
// loopback ports, with a new master key and a data directory of its own, started and waited for at /readyz; and
// a company made through its API with an ADMIN key.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from './http.mjs';
import { freePort, start, waitUntil } from './processes.mjs';

const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));

/**
 * Starts the built server and waits until /readyz answers 200. The server runs on SQLite in its data directory
 * (a new temporary one, `dataDir`), or on PostgreSQL at `databaseUrl`; `env` adds to (or overrides) its
 * environment; `nodeArgs` go to node before the script (--cpu-prof…). Needs a build (npx tsc -p tsconfig.build.json).
 *
 * Answers { port, url, masterKey, dataDir, engine (as /readyz names it), pid (of the running process),
 * stop() (the process; the data stays), start() (again, on the same ports, key and data), remove() (stops it and
 * deletes the data directory) }. The process is also killed by processes.mjs's killAll() and on exit.
 */
export async function startBenchServer({ databaseUrl = null, env = {}, nodeArgs = [] } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-bench-'));
  const masterKey = `bench-master-${crypto.randomBytes(12).toString('hex')}`;
  const [port, grpcPort] = [await freePort(), await freePort()];
  const serverEnv = {
    PATH: process.env.PATH,
    PORT: String(port),
    GRPC_PORT: String(grpcPort),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PUNCHCARD_MASTER_KEY: masterKey,
    PUNCHCARD_DATA_DIR: dataDir,
    // One bench client sends far more than a key's default budget (1200 a minute): the limiter runs, as it
    // does in production, with a budget no client reaches (rate-limit.bench.mjs measures what it costs).
    PUNCHCARD_RATE_LIMIT: '1000000000/60s',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  };
  let handle = null;
  const server = {
    port,
    url: `http://127.0.0.1:${port}`,
    masterKey,
    dataDir,
    engine: null,
    get pid() {
      return handle?.child.pid;
    },
    async start() {
      if (handle) throw new Error('the bench server is running already');
      handle = start('punchcard', process.execPath, [...nodeArgs, path.join(root, 'dist/src/main.js')], serverEnv);
      let ready;
      await waitUntil(handle, async () => (ready = await request(port, 'GET', '/readyz')).status === 200);
      server.engine = JSON.parse(ready.bytes.toString()).engine;
      return server;
    },
    async stop() {
      const running = handle;
      handle = null;
      await running?.stop();
    },
    async remove() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    return await server.start();
  } catch (error) {
    await server.remove();
    throw error;
  }
}

async function created(promise, what) {
  const r = await promise;
  if (r.status !== 201) throw new Error(`${what}: expected 201, got ${r.status} ${r.bytes.toString().slice(0, 2000)}`);
  return JSON.parse(r.bytes.toString());
}

/**
 * Makes company `companyId` ("Bench Grooming Co.") with the server's master key, and an ADMIN key for it (named
 * `keyName` if given). Answers { companyId, c (its path, /v1/companies/{id}), adminKey, auth (the ADMIN key's
 * authorization header) }.
 */
export async function createBenchCompany(server, { companyId = 'cmp_bench', keyName } = {}) {
  const master = { authorization: `Bearer ${server.masterKey}` };
  const c = `/v1/companies/${companyId}`;
  await created(request(server.port, 'POST', '/v1/companies', { headers: master, body: { id: companyId, name: 'Bench Grooming Co.' } }), 'company');
  const body = keyName === undefined ? { role: 'ADMIN' } : { role: 'ADMIN', name: keyName };
  const admin = await created(request(server.port, 'POST', `${c}/apiKeys`, { headers: master, body }), 'admin key');
  return { companyId, c, adminKey: admin.key, auth: { authorization: `Bearer ${admin.key}` } };
}
