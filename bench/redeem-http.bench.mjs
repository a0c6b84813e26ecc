// Redemptions over HTTP: `POST …/packages/{id}:redeem` with an Idempotency-Key (a new one on every request), from
// 32 connections each on a package of its own, against a bare node:http server answering a redemption's bytes,
// side by side in one run; then one connection alone (an idle server's latency). The group commits' sizes under
// each load come from the server's /metrics (punchcard_write_batch_commands). Targets: Punchcard at ≥ 0.2 of the
// bare server, p99 ≤ 20 ms.
//
// Env: BENCH_SECONDS (default 10) per measurement, BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (32),
// BENCH_ROUNDS (1; more alternate the order), BENCH_DATABASE_URL (postgres://…; unset: SQLite in a temporary
// directory), BENCH_RESULTS_DIR (default bench/results), BENCH_CPU_PROF (a directory: the server runs with
// node --cpu-prof and writes its profile there on exit).
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { freePort, killAll, start, waitUntil } from './lib/processes.mjs';
import { createBenchCompany, startBenchServer } from './lib/server.mjs';
import { checkClean, expectStatus, figures, request } from './lib/http.mjs';
import { writeResults } from './lib/results.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const NAME = 'redeem-http';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const DATABASE_URL = process.env.BENCH_DATABASE_URL || null;
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF || null;
const TARGET_RATIO = 0.2;
const TARGET_P99_MS = 20;


/** Every request a new Idempotency-Key; each connection keeps to its own package (autocannon's context is per connection). */
function cannon(port, paths, auth, connections, seconds) {
  let next = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ serviceId: 'srv_1', quantity: 1, businessId: 'bus_1' }),
        setupRequest(req, context) {
          context.path ??= paths[next++ % paths.length];
          return { ...req, path: context.path, headers: { ...req.headers, 'idempotency-key': crypto.randomUUID() } };
        },
      },
    ],
  });
}


/** The server's group-commit histogram so far: batches and commands. */
async function batchTotals(port) {
  const text = (await request(port, 'GET', '/metrics')).bytes.toString();
  const read = (name) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? 0);
  return { batches: read('punchcard_write_batch_commands_count'), commands: read('punchcard_write_batch_commands_sum') };
}

/** Runs fn and answers its figures with the mean group commit while it ran. */
async function withBatches(port, fn) {
  const before = await batchTotals(port);
  const result = await fn();
  const after = await batchTotals(port);
  const batches = after.batches - before.batches;
  return { ...result, meanBatch: batches === 0 ? 0 : Number(((after.commands - before.commands) / batches).toFixed(1)) };
}

async function main() {
  let server;
  try {
    const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF_DIR)}`] : [];
    server = await startBenchServer({ databaseUrl: DATABASE_URL, nodeArgs });
    const { port, engine } = server;
    const { c, auth } = await createBenchCompany(server, { companyId: `cmp_bench_${crypto.randomBytes(4).toString('hex')}` });
    const put = (p, body, what) => expectStatus(request(port, 'PUT', `${c}${p}`, { headers: auth, body }), 200, what);
    await put('/businesses/bus_1', { name: 'Main', timeZone: 'America/Los_Angeles', currencyCode: 'USD' }, 'business');
    await put('/customers/cus_1', { firstName: 'Ada', lastName: 'Lovelace' }, 'customer');
    await put('/services/srv_1', { name: 'Groom', durationMinutes: 60, price: { currencyCode: 'USD', units: 30 } }, 'service');
    const template = { id: 'tpl_1', name: 'Many', price: { currencyCode: 'USD', units: 100000 }, items: [{ serviceIds: ['srv_1'], quantity: 10000 }], validity: { days: 365 } };
    await expectStatus(request(port, 'POST', `${c}/packageTemplates`, { headers: auth, body: template }), 201, 'template');
    const paths = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const sold = await expectStatus(request(port, 'POST', `${c}/packages:sell`, { headers: auth, body: { templateId: 'tpl_1', customerId: 'cus_1', businessId: 'bus_1' } }), 200, 'sell');
      paths.push(`${c}/packages/${JSON.parse(sold.bytes).packageInfo.id}:redeem`);
    }
    const captured = await expectStatus(
      request(port, 'POST', paths[0], { headers: { ...auth, 'idempotency-key': crypto.randomUUID() }, body: { serviceId: 'srv_1', quantity: 1, businessId: 'bus_1' } }),
      200,
      'capture',
    );

    const barePort = await freePort();
    const bare = start('bare node:http', process.execPath, [path.join(here, 'lib/bare-server.mjs')], {
      PATH: process.env.PATH,
      BARE_PORT: String(barePort),
      BARE_BODY: captured.bytes.toString('base64'),
      BARE_CONTENT_TYPE: captured.headers['content-type'],
    });
    await waitUntil(bare, async () => (await request(barePort, 'GET', '/')).status === 200);

    const targets = [
      { name: 'punchcard', port },
      { name: 'bare', port: barePort },
    ];
    for (const t of targets) checkClean(`${t.name} warm-up`, await cannon(t.port, paths, auth, CONNECTIONS, WARMUP_SECONDS));
    const loadBefore = os.loadavg()[0];
    const rounds = { punchcard: [], bare: [], idle: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        process.stdout.write(`measuring ${t.name}: ${CONNECTIONS} connections for ${SECONDS} s… `);
        const result = await withBatches(port, async () => {
          const r = await cannon(t.port, paths, auth, CONNECTIONS, SECONDS);
          checkClean(t.name, r);
          return figures(r);
        });
        if (t.name === 'bare') delete result.meanBatch;
        rounds[t.name].push(result);
        console.log(`${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms${result.meanBatch ? `, batches of ${result.meanBatch}` : ''}`);
      }
      process.stdout.write(`measuring punchcard with one connection for ${SECONDS} s… `);
      const idle = await withBatches(port, async () => {
        const r = await cannon(port, paths, auth, 1, SECONDS);
        checkClean('idle', r);
        return figures(r);
      });
      rounds.idle.push(idle);
      console.log(`${idle.requestsPerSecond} req/s, p50 ${idle.latencyMs.p50} ms, p99 ${idle.latencyMs.p99} ms, batches of ${idle.meanBatch}`);
    }
    const loadAfter = os.loadavg()[0];
    const mean = (list, f) => list.reduce((n, x) => n + f(x), 0) / list.length;
    const worst = (list, f) => Math.max(...list.map(f));
    const summarise = (list) => ({
      requestsPerSecond: Math.round(mean(list, (x) => x.requestsPerSecond)),
      p50Ms: worst(list, (x) => x.latencyMs.p50),
      p99Ms: worst(list, (x) => x.latencyMs.p99),
      ...(list[0].meanBatch !== undefined ? { meanBatch: Number(mean(list, (x) => x.meanBatch).toFixed(1)) } : {}),
      rounds: list,
    });
    const measured = { punchcard: summarise(rounds.punchcard), bare: summarise(rounds.bare), idle: summarise(rounds.idle) };
    const ratio = Number((measured.punchcard.requestsPerSecond / measured.bare.requestsPerSecond).toFixed(3));
    const pass = ratio >= TARGET_RATIO && measured.punchcard.p99Ms <= TARGET_P99_MS;
    const summary =
      `${engine}: punchcard ${measured.punchcard.requestsPerSecond} redemptions/s (p99 ${measured.punchcard.p99Ms} ms, batches of ${measured.punchcard.meanBatch}) ` +
      `vs bare ${measured.bare.requestsPerSecond} req/s: ratio ${ratio} (target ≥ ${TARGET_RATIO}, p99 ≤ ${TARGET_P99_MS} ms); ` +
      `one connection: ${measured.idle.requestsPerSecond}/s, p50 ${measured.idle.p50Ms} ms, p99 ${measured.idle.p99Ms} ms`;
    writeResults(NAME, engine, {
      name: NAME,
      summary,
      pass,
      ratio,
      targetRatio: TARGET_RATIO,
      targetP99Ms: TARGET_P99_MS,
      engine,
      time: new Date().toISOString(),
      load: { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, warmupSeconds: WARMUP_SECONDS, generator: 'autocannon in the bench process' },
      machine: { node: process.version, cpus: os.cpus().length, loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadAfter.toFixed(2)) } },
      ...measured,
    });
    console.log(summary);
  } finally {
    await killAll();
    await server?.remove();
  }
}

main().catch((error) => {
  console.error(`${NAME}: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
});
