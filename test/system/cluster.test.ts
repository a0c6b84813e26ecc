// PUNCHCARD_WORKERS=3: one primary and three workers (node:cluster) on one HTTP and one gRPC port. The first
// start's demo key is made and printed once, by the primary, and works on every worker; requests over several
// connections are served by several workers (each request's log line names the worker's pid, and the workers
// are the primary's children in the process list); 200 racing redemptions of 10 units give exactly 10; a worker
// killed with SIGKILL is replaced (after 1 s, and after 2 s when its replacement dies too); SIGTERM lets the
// request in flight finish before every process exits. A cluster whose workers cannot listen exits 1 with the
// reason, said once.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';
import { childPids, client, freePort, furnishCompany, logLines, startServer, waitForOutput, type ServerProcess } from '../support/server-process.js';
import { PackageService } from '../../src/gen/moego/business/package/v1/package_service_pb.js';
import { verifyLedger } from '../../src/application/verify.js';
import { createStore } from '../../src/storage/store.js';
import { RESTART_BACKOFF } from '../../src/cluster.js';

const WORKERS = 3;
/** Four processes starting on a busy two-core machine take their time. */
const START_TIMEOUT_MS = 60_000;
const sellBody = { templateId: 'tpl_1', customerId: 'cus_1', businessId: 'bus_1' };
const redeemBody = { serviceId: 'srv_1', quantity: 1, businessId: 'bus_1' };

/** The pids of the workers that logged receiving these requests (by x-request-id), once every one is logged. */
async function servedBy(server: ServerProcess, requestIds: readonly string[]): Promise<Set<number>> {
  const pids = new Map<string, number>();
  await until(
    () => {
      for (const l of logLines(server)) if (l.msg === 'incoming request' && requestIds.includes(l.reqId)) pids.set(l.reqId, l.pid);
      return pids.size === requestIds.length ? true : undefined;
    },
    5000,
    () => `${requestIds.length - pids.size} of ${requestIds.length} requests not logged`,
  );
  return new Set(pids.values());
}

/** GET over a connection of its own (fetch would reuse the pool's), which the cluster deals to the next worker. */
function getOnNewConnection(url: string, headers: Record<string, string>): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}

/** n request ids that name their test. */
const requestIds = (what: string, n: number) => Array.from({ length: n }, (_, i) => `req_${what}_${i}`);

async function until<T>(value: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = value();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what()} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(ENGINES)('PUNCHCARD_WORKERS=3 on %s', (engine) => {
  let db: TestDatabase;
  let server: ServerProcess;
  let primary: number;
  let demoKey: string;
  beforeAll(async () => {
    db = await createTestDatabase(engine);
    // No master key: the first start makes the demo company. LOG_LEVEL=info logs each request with its pid.
    server = await startServer({
      databaseUrl: db.databaseUrl,
      dataDir: db.dataDir,
      extra: { PUNCHCARD_WORKERS: String(WORKERS), PUNCHCARD_MASTER_KEY: '', LOG_LEVEL: 'info' },
      startTimeoutMs: START_TIMEOUT_MS,
    });
    primary = server.child.pid!;
    // The primary announces once every worker listens.
    await waitForOutput(server, /Punchcard is running at/, START_TIMEOUT_MS);
    demoKey = (await waitForOutput(server, /^ {4}(pck\.cmp_demo\.\S+)$/m))[1]!;
    await furnishCompany(server.url, 'cmp_demo', demoKey, 10);
  }, 2 * START_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop();
    await db.drop();
  });

  it('prints the first start and its demo key once, and the key works on every worker', async () => {
    const out = server.output();
    expect(out.match(/First start: created the demo company/g)).toHaveLength(1);
    expect(out.match(/pck\.cmp_demo\.\S+/g)).toEqual([demoKey]);
    expect(out.match(/Punchcard is running at/g)).toHaveLength(1);
    // New connections are dealt to the workers in turn.
    const ids = requestIds(`me_${engine}`, 6);
    const answers = await Promise.all(ids.map((id) => getOnNewConnection(`${server.url}/v1/me`, { authorization: `Bearer ${demoKey}`, 'x-request-id': id })));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(answers.map((a) => a.json.companyId)).toEqual(Array(6).fill('cmp_demo'));
    const pids = await servedBy(server, ids);
    expect(pids.size).toBeGreaterThan(1);
    expect([...pids].every((p) => childPids(primary).includes(p))).toBe(true);
  });

  it('runs three workers, the children of the one process that was started', () => {
    const workers = childPids(primary);
    expect(workers).toHaveLength(WORKERS);
    // Each said it listens on both ports.
    for (const pid of workers) {
      const listening = logLines(server).filter((l) => l.pid === pid && String(l.msg).startsWith('Server listening at'));
      expect(listening.map((l) => new URL(String(l.msg).slice('Server listening at '.length)).port).sort()).toEqual(
        [new URL(server.url).port, new URL(server.grpcUrl).port].sort(),
      );
    }
  });

  it('lets exactly 10 of 200 racing redemptions through, served by more than one worker', async () => {
    const call = client(server.url, demoKey);
    const base = '/v1/companies/cmp_demo';
    const sold = await call('POST', `${base}/packages:sell`, sellBody);
    expect(sold.status).toBe(200);
    const id = sold.json.packageInfo.id as string;
    const ids = requestIds(`race_${engine}`, 200);
    const results = await Promise.all(
      ids.map(async (requestId) => {
        const r = await fetch(`${server.url}${base}/packages/${id}:redeem`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${demoKey}`, 'x-request-id': requestId },
          body: JSON.stringify(redeemBody),
        });
        const json = (await r.json()) as { details?: { reason?: string }[] };
        return { status: r.status, reason: json.details?.[0]?.reason };
      }),
    );
    const ok = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 400 && (r.reason === 'INSUFFICIENT_BALANCE' || r.reason === 'PACKAGE_FULLY_REDEEMED')).length;
    expect({ ok, refused, other: results.length - ok - refused }).toEqual({ ok: 10, refused: 190, other: 0 });

    const pids = await servedBy(server, ids);
    console.log(`PUNCHCARD_WORKERS=3 on ${engine}: the 200 redemptions were served by workers ${[...pids].join(', ')}`);
    expect(pids.size).toBeGreaterThan(1);
    expect([...pids].every((p) => childPids(primary).includes(p))).toBe(true);

    const store = createStore(await db.open());
    try {
      const report = await verifyLedger({ store, clock: { now: () => Date.now() }, masterKey: null }, 'cmp_demo');
      expect(report.drifts).toEqual([]);
      expect(report.events).toBe(11);
    } finally {
      await store.close();
    }
  });

  it('answers gRPC on the one gRPC port from more than one worker', async () => {
    const authorization = `Basic ${Buffer.from(demoKey).toString('base64')}`;
    const ids = requestIds(`grpc_${engine}`, 6);
    const sessions = ids.map(() => new Http2SessionManager(server.grpcUrl));
    try {
      const answers = await Promise.all(
        sessions.map((sessionManager, i) =>
          createClient(PackageService, createGrpcTransport({ baseUrl: server.grpcUrl, sessionManager })).listPackages(
            { pagination: { pageSize: 20, pageToken: '1' }, companyId: 'cmp_demo', customerIds: ['cus_1'] },
            { headers: { authorization, 'x-request-id': ids[i]! } },
          ),
        ),
      );
      expect(answers.map((a) => a.packages.length)).toEqual(Array(6).fill(1));
    } finally {
      for (const s of sessions) s.abort();
    }
    const pids = await servedBy(server, ids);
    expect(pids.size).toBeGreaterThan(1);
    expect([...pids].every((p) => childPids(primary).includes(p))).toBe(true);
  });

  it('starts another worker when one is killed, waiting longer when they keep dying, and the port keeps answering', async () => {
    const before = childPids(primary);
    expect(before).toHaveLength(WORKERS);
    /** Kills `victim` and returns the worker that replaces it, once it listens, checking the wait before it came. */
    const replace = async (victim: number, expectedDelayMs: number, known: readonly number[]) => {
      process.kill(victim, 'SIGKILL');
      const killedAt = Date.now();
      const replacement = await until(
        () => logLines(server).find((l) => l.msg === 'worker listening' && !known.includes(l.worker))?.worker as number | undefined,
        expectedDelayMs + START_TIMEOUT_MS,
        () => `no worker replaced ${victim}: ${server.output().slice(-2000)}`,
      );
      console.log(`PUNCHCARD_WORKERS=3 on ${engine}: worker ${victim} killed, ${replacement} listening ${Date.now() - killedAt} ms later`);
      expect(server.output()).toContain(`"worker":${victim},"code":null,"signal":"SIGKILL","msg":"worker was killed by SIGKILL; starting another in ${expectedDelayMs} ms"`);
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(expectedDelayMs); // backed off, not at once
      return replacement;
    };
    const first = await replace(before[0]!, RESTART_BACKOFF.firstMs, before);
    // Killed again at once, long before it served RESTART_BACKOFF.stableMs: the wait doubles.
    const second = await replace(first, 2 * RESTART_BACKOFF.firstMs, [...before, first]);
    expect(childPids(primary)).toEqual([...before.slice(1), second].sort((a, b) => a - b));
    const ids = requestIds(`after_kill_${engine}`, 12);
    const statuses = await Promise.all(
      ids.map((id) => getOnNewConnection(`${server.url}/v1/me`, { authorization: `Bearer ${demoKey}`, 'x-request-id': id }).then((r) => r.status)),
    );
    expect(statuses).toEqual(Array(12).fill(200));
    const pids = await servedBy(server, ids);
    expect(pids.has(second), `the new worker serves (served by ${[...pids].join(', ')})`).toBe(true);
  }, 3 * START_TIMEOUT_MS);

  it('on SIGTERM finishes the request in flight, then the primary and every worker exit', async () => {
    const call = client(server.url, demoKey);
    const base = '/v1/companies/cmp_demo';
    const sold = await call('POST', `${base}/packages:sell`, sellBody);
    expect(sold.status).toBe(200);
    const id = sold.json.packageInfo.id as string;
    const workers = childPids(primary);

    // A redemption whose body is still on its way when SIGTERM comes: the worker has it, and must finish it.
    const requestId = `req_inflight_${engine}`;
    const body = JSON.stringify(redeemBody);
    let request!: http.ClientRequest;
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request = http.request(`${server.url}${base}/packages/${id}:redeem`, {
        method: 'POST',
        headers: { authorization: `Bearer ${demoKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId },
      });
      request.on('response', (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, 10));
    const received = await until(
      () => logLines(server).find((l) => l.reqId === requestId && l.msg === 'incoming request'),
      10_000,
      () => 'the worker did not log the request',
    );
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    await waitForOutput(server, new RegExp(`"pid":${received.pid},[^\\n]*"shutting down: finishing in-flight requests"`), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(server.child.exitCode, 'the primary waits for the worker with the request').toBeNull();
    request.end(body.slice(10));
    const answered = await answer;
    const answeredAt = Date.now();
    expect(answered.status, answered.body).toBe(200);
    expect(JSON.parse(answered.body).redemption.id).toMatch(/^red_/);
    expect(await exited).toBe(0);
    // The answer ended its kept-alive connection: the worker did not wait for the client to let go (5 s, Node's agent).
    expect(Date.now() - answeredAt).toBeLessThan(2000);
    expect(workers.filter((pid) => isAlive(pid))).toEqual([]);
  });
});

describe('PUNCHCARD_WORKERS=2 when a worker cannot start', () => {
  it('stops the others and exits 1 with the reason, said once', async () => {
    // Something else holds the gRPC port, so every worker's listen fails.
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const grpcPort = (taken.address() as net.AddressInfo).port;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-cluster-'));
    try {
      const child = spawn(process.execPath, ['dist/src/main.js'], {
        env: { PATH: process.env.PATH, PORT: String(await freePort()), GRPC_PORT: String(grpcPort), HOST: '127.0.0.1', LOG_LEVEL: 'warn', PUNCHCARD_DATA_DIR: dataDir, PUNCHCARD_WORKERS: '2' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, out).toBe(1);
      expect(out.match(/^punchcard: failed to start: .*EADDRINUSE.*$/gm), out).toHaveLength(1);
      expect(out).not.toContain('Punchcard is running');
    } finally {
      taken.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, START_TIMEOUT_MS);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
