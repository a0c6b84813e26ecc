// Real server processes (the built dist/src/main.js) for tests that need several processes or a kill -9.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

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
  readonly child: ChildProcess;
  /** Date.now() when the process was spawned. */
  readonly spawnedAt: number;
  output(): string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL: no chance to flush anything. */
  kill(): Promise<void>;
}

export async function startServer(env: { databaseUrl: string | null; dataDir: string; extra?: Readonly<Record<string, string>> }): Promise<ServerProcess> {
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
      ...(env.databaseUrl ? { DATABASE_URL: env.databaseUrl } : {}),
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
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
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
  const call = client(url, key);
  const c = `/v1/companies/${companyId}`;
  await call('PUT', `${c}/businesses/bus_1`, { name: 'Main', timeZone: 'America/New_York', currencyCode: 'USD' });
  await call('PUT', `${c}/customers/cus_1`, { firstName: 'Ada', lastName: 'Lovelace' });
  await call('PUT', `${c}/services/srv_1`, { name: 'Groom', durationMinutes: 60, price: { currencyCode: 'USD', units: 30 } });
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
