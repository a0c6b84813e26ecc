// Real server processes (the built dist/src/main.js) for tests that need several processes or a kill -9.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { recordEnv } from './record-env.js';

export const SERVER_MASTER_KEY = 'system-test-master-key-0123';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface ServerProcess {
  readonly url: string;
  /** The gRPC (h2c) listener's base URL. */
  readonly grpcUrl: string;
  readonly child: ChildProcess;
  /** Date.now() when the process was spawned. */
  readonly spawnedAt: number;
  output(): string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL: no chance to flush anything. */
  kill(): Promise<void>;
}

export async function startServer(env: {
  databaseUrl: string | null;
  dataDir: string;
  extra?: Readonly<Record<string, string>>;
  /** How long it may take to answer /readyz (20 s); a slower one is stopped and the start fails. */
  startTimeoutMs?: number;
}): Promise<ServerProcess> {
  const port = await freePort();
  const grpcPort = await freePort();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PUNCHCARD_MASTER_KEY: SERVER_MASTER_KEY,
      PUNCHCARD_DATA_DIR: env.dataDir,
      // These servers race writers and kill processes; the rate-limit tests give their own budgets in `extra`.
      PUNCHCARD_RATE_LIMIT: 'off',
      ...(env.databaseUrl ? { DATABASE_URL: env.databaseUrl } : {}),
      // The PostgreSQL suite's statement record (record-env.ts), when it is on.
      ...recordEnv(),
      ...env.extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawnedAt = Date.now();
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (env.startTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM'); // not left running after the test
      throw new Error(`server did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    grpcUrl: `http://127.0.0.1:${grpcPort}`,
    child,
    spawnedAt,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A small client for the native API of a server process. */
export function client(url: string, key: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: r.status, json, headers: r.headers };
  };
}

/** Creates a company with an ADMIN key, a business, a customer, a service and a template of `quantity` sessions. */
export async function seedCompany(url: string, companyId: string, quantity: number) {
  const master = client(url, SERVER_MASTER_KEY);
  await master('POST', '/v1/companies', { id: companyId, name: companyId });
  const key = (await master('POST', `/v1/companies/${companyId}/apiKeys`, { role: 'ADMIN' })).json.key as string;
  return furnishCompany(url, companyId, key, quantity);
}

/** Gives a company made elsewhere (the demo company, say) what seedCompany makes: a business, a customer, a service and a template of `quantity` sessions. */
export async function furnishCompany(url: string, companyId: string, key: string, quantity: number) {
  const call = client(url, key);
  const c = `/v1/companies/${companyId}`;
  for (const [path, body] of [
    [`${c}/businesses/bus_1`, { name: 'Main', timeZone: 'America/New_York', currencyCode: 'USD' }],
    [`${c}/customers/cus_1`, { firstName: 'Ada', lastName: 'Lovelace' }],
    [`${c}/services/srv_1`, { name: 'Groom', durationMinutes: 60, price: { currencyCode: 'USD', units: 30 } }],
  ] as const) {
    const r = await call('PUT', path, body);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.json)}`);
  }
  const t = await call('POST', `${c}/packageTemplates`, {
    id: 'tpl_1',
    name: 'Sessions',
    price: { currencyCode: 'USD', units: quantity * 30 },
    items: [{ serviceIds: ['srv_1'], quantity }],
    validity: { days: 365 },
  });
  if (t.status !== 201) throw new Error(`template: ${JSON.stringify(t.json)}`);
  return { key, call, base: c };
}

/** Waits until the process's output matches `pattern`; fails with the output when it exits or `timeoutMs` passes first. */
export async function waitForOutput(server: ServerProcess, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = server.output().match(pattern);
    if (m) return m;
    if (server.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} in the output: ${server.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The processes whose parent is `pid`, from /proc (Linux): a cluster primary's workers. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // it ended while we looked
    }
    // pid (comm) state ppid …; comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  return children.sort((a, b) => a - b);
}

/** The server's JSON log lines (pino's, one object a line), the rest of its output left out. */
export function logLines(server: ServerProcess): Record<string, any>[] {
  const lines: Record<string, any>[] = [];
  for (const line of server.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line));
    } catch {
      // a line still being written
    }
  }
  return lines;
}
