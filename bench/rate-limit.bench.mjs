// What the rate limiter costs: the same request (a reference-data GET with a VIEWER key, the cheapest
// authenticated answer, so the limiter's share is the largest) against the server with limits off and with a
// budget no client reaches, in turn, each measured BENCH_ROUNDS times (alternating which goes first). The
// target: the limiter costs at most 5% of the requests per second. With BENCH_REDIS_URL the limiter's
// buckets in Redis are measured as well (reported, not held to the target: each request is a Redis round trip).
// Beside requests per second it reports the server process's CPU time per request (from /proc), which the
// load generator's and the machine's noise move far less: the cost of the limiter is its extra CPU.
//
// Env: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (32), BENCH_ROUNDS (2),
// BENCH_DATABASE_URL (postgres://…; unset: SQLite), BENCH_REDIS_URL (redis://…; unset: no Redis run),
// BENCH_RESULTS_DIR (default bench/results).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import { killAll } from './lib/processes.mjs';
import { createBenchCompany, startBenchServer } from './lib/server.mjs';
import { checkClean, expectStatus, figures, request } from './lib/http.mjs';
import { writeResults } from './lib/results.mjs';

const NAME = 'rate-limit';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const DATABASE_URL = process.env.BENCH_DATABASE_URL || null;
const REDIS_URL = process.env.BENCH_REDIS_URL || null;
const MAX_COST = 0.05;
/** A budget no client reaches in a run: the limiter does all its work and never refuses. */
const UNREACHED = '1000000000/60s';



/** A server with its own company, VIEWER key and customer; answers the URL to load and its headers. */
async function prepare(name, env) {
  const server = await startBenchServer({ databaseUrl: DATABASE_URL, env });
  const { companyId, auth: adminAuth } = await createBenchCompany(server, { companyId: `cmp_rl_${crypto.randomBytes(4).toString('hex')}` });
  const viewer = JSON.parse((await expectStatus(request(server.port, 'POST', `/v1/companies/${companyId}/apiKeys`, { headers: adminAuth, body: { role: 'VIEWER' } }), 201, 'key')).bytes);
  await expectStatus(request(server.port, 'PUT', `/v1/companies/${companyId}/customers/cus_ada`, { headers: adminAuth, body: { firstName: 'Ada', lastName: 'Lovelace' } }), 200, 'customer');
  const urlPath = `/v1/companies/${companyId}/customers/cus_ada`;
  const headers = { authorization: `Bearer ${viewer.key}` };
  const sample = await expectStatus(request(server.port, 'GET', urlPath, { headers }), 200, 'sample');
  const limited = sample.headers['ratelimit'] !== undefined;
  if (limited !== (env.PUNCHCARD_RATE_LIMIT !== 'off')) throw new Error(`${name}: RateLimit header ${limited ? 'present' : 'absent'}`);
  return { name, server, url: `http://127.0.0.1:${server.port}${urlPath}`, headers, body: sample.bytes.toString() };
}

/** The server process's CPU time so far (user + system), in microseconds, from /proc. */
function cpuMicros(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
}

const cannon = (t, seconds) => autocannon({ url: t.url, connections: CONNECTIONS, duration: seconds, headers: t.headers, expectBody: t.body });

async function main() {
  const targets = [];
  try {
    targets.push(await prepare('off', { PUNCHCARD_RATE_LIMIT: 'off', PUNCHCARD_AUTH_FAILURE_LIMIT: 'off' }));
    targets.push(await prepare('memory', { PUNCHCARD_RATE_LIMIT: UNREACHED }));
    if (REDIS_URL) targets.push(await prepare('redis', { PUNCHCARD_RATE_LIMIT: UNREACHED, REDIS_URL }));
    for (const t of targets) checkClean(`${t.name} warm-up`, await cannon(t, WARMUP_SECONDS));
    const loadBefore = os.loadavg()[0];
    const rounds = Object.fromEntries(targets.map((t) => [t.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        process.stdout.write(`measuring limits ${t.name}: ${CONNECTIONS} connections for ${SECONDS} s… `);
        const cpuBefore = cpuMicros(t.server.pid);
        const result = await cannon(t, SECONDS);
        const cpuUsPerRequest = Number(((cpuMicros(t.server.pid) - cpuBefore) / result.requests.total).toFixed(2));
        checkClean(t.name, result);
        const f = { ...figures(result), serverCpuUsPerRequest: cpuUsPerRequest };
        rounds[t.name].push(f);
        console.log(`${f.requestsPerSecond} req/s, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms, server CPU ${cpuUsPerRequest} µs/request`);
      }
    }
    const loadAfter = os.loadavg()[0];
    const mean = (fs) => Math.round(fs.reduce((s, f) => s + f.requestsPerSecond, 0) / fs.length);
    const worstP99 = (fs) => Math.max(...fs.map((f) => f.latencyMs.p99));
    // The least CPU per request over the rounds: what the work costs, with the least of the machine's other load in it.
    const leastCpu = (fs) => Math.min(...fs.map((f) => f.serverCpuUsPerRequest));
    const measured = Object.fromEntries(
      targets.map((t) => [t.name, { requestsPerSecond: mean(rounds[t.name]), p99Ms: worstP99(rounds[t.name]), serverCpuUsPerRequest: leastCpu(rounds[t.name]), rounds: rounds[t.name] }]),
    );
    const costOf = (name) => Number((1 - measured[name].requestsPerSecond / measured.off.requestsPerSecond).toFixed(3));
    const cpuCostOf = (name) => Number((measured[name].serverCpuUsPerRequest / measured.off.serverCpuUsPerRequest - 1).toFixed(3));
    const cost = { memory: costOf('memory'), ...(REDIS_URL ? { redis: costOf('redis') } : {}) };
    const cpuCost = { memory: cpuCostOf('memory'), ...(REDIS_URL ? { redis: cpuCostOf('redis') } : {}) };
    const pass = cost.memory <= MAX_COST;
    const engine = targets[0].server.engine;
    const summary =
      `${engine}: limits off ${measured.off.requestsPerSecond} req/s (${measured.off.serverCpuUsPerRequest} µs CPU/request), on (memory) ${measured.memory.requestsPerSecond} req/s ` +
      `(${measured.memory.serverCpuUsPerRequest} µs): cost ${(cost.memory * 100).toFixed(1)}% of req/s, ${(cpuCost.memory * 100).toFixed(1)}% of CPU (target ≤ ${MAX_COST * 100}%)` +
      (REDIS_URL ? `; on (Redis) ${measured.redis.requestsPerSecond} req/s (${measured.redis.serverCpuUsPerRequest} µs): ${(cost.redis * 100).toFixed(1)}% of req/s, ${(cpuCost.redis * 100).toFixed(1)}% of CPU` : '');
    const record = {
      name: NAME,
      summary,
      pass,
      cost,
      cpuCost,
      maxCost: MAX_COST,
      engine,
      time: new Date().toISOString(),
      request: { method: 'GET', path: '/v1/companies/{companyId}/customers/cus_ada', auth: 'Bearer (VIEWER key)', budget: UNREACHED },
      load: { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, warmupSeconds: WARMUP_SECONDS, generator: 'autocannon in the bench process' },
      machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadAfter.toFixed(2)) } },
      measured,
    };
    writeResults(NAME, engine, record);
    console.log(summary);
  } finally {
    await killAll();
    for (const t of targets) await t.server.remove();
  }
}

main().catch((error) => {
  console.error(`${NAME}: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
});
