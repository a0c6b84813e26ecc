// A reference-data GET, key check included, against a bare node:http server answering the same bytes, side by
// side in one run. The target: Punchcard at no less than half the bare server's throughput.
//
// Env: BENCH_SECONDS (default 10) per measurement, BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (32),
// BENCH_ROUNDS (1; more alternate the order and average, for a noisy machine),
// BENCH_DATABASE_URL (postgres://…; unset: the embedded SQLite database in a temporary directory),
// BENCH_RESULTS_DIR (default bench/results).
// The load generator runs in this process: on a 2-core machine it takes one core, the server the other.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { freePort, killAll, start, waitUntil } from './lib/processes.mjs';
import { createBenchCompany, startBenchServer } from './lib/server.mjs';
import { checkClean, expectStatus, figures, request } from './lib/http.mjs';
import { writeResults } from './lib/results.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const NAME = 'reference-get';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const DATABASE_URL = process.env.BENCH_DATABASE_URL || null;
const TARGET_RATIO = 0.5;


function cannon(url, headers, expectBody, seconds) {
  return autocannon({ url, connections: CONNECTIONS, duration: seconds, headers, expectBody });
}


async function main() {
  let server;
  try {
    // (a) Punchcard as built, with its own data.
    server = await startBenchServer({ databaseUrl: DATABASE_URL });
    const { port, engine } = server;
    const barePort = await freePort();
    const { companyId, auth: adminAuth } = await createBenchCompany(server, { companyId: `cmp_bench_${crypto.randomBytes(4).toString('hex')}` });
    const viewer = JSON.parse((await expectStatus(request(port, 'POST', `/v1/companies/${companyId}/apiKeys`, { headers: adminAuth, body: { role: 'VIEWER' } }), 201, 'viewer key')).bytes);
    await expectStatus(
      request(port, 'PUT', `/v1/companies/${companyId}/businesses/bus_main`, { headers: adminAuth, body: { name: 'Main Street', timeZone: 'America/Los_Angeles', currencyCode: 'USD' } }),
      200,
      'business',
    );
    await expectStatus(
      request(port, 'PUT', `/v1/companies/${companyId}/customers/cus_ada`, {
        headers: adminAuth,
        body: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+1 (555) 123-4567' },
      }),
      200,
      'customer',
    );

    const urlPath = `/v1/companies/${companyId}/customers/cus_ada`;
    const auth = { authorization: `Bearer ${viewer.key}` };
    const captured = await expectStatus(request(port, 'GET', urlPath, { headers: auth }), 200, 'capture');
    const contentType = captured.headers['content-type'];

    // (b) The bare server, answering those bytes.
    const bare = start('bare node:http', process.execPath, [path.join(here, 'lib/bare-server.mjs')], {
      PATH: process.env.PATH,
      BARE_PORT: String(barePort),
      BARE_BODY: captured.bytes.toString('base64'),
      BARE_CONTENT_TYPE: contentType,
    });
    await waitUntil(bare, async () => (await request(barePort, 'GET', urlPath)).status === 200);
    const fromBare = await request(barePort, 'GET', urlPath, { headers: auth });
    if (!fromBare.bytes.equals(captured.bytes) || fromBare.headers['content-type'] !== contentType) {
      throw new Error('the bare server does not answer the same bytes');
    }

    // (c) Warm both up, then measure each in turn with the same load.
    const body = captured.bytes.toString('utf8');
    const targets = [
      { name: 'punchcard', url: `http://127.0.0.1:${port}${urlPath}` },
      { name: 'bare', url: `http://127.0.0.1:${barePort}${urlPath}` },
    ];
    for (const t of targets) checkClean(`${t.name} warm-up`, await cannon(t.url, auth, body, WARMUP_SECONDS));
    const loadBefore = os.loadavg()[0];
    const rounds = { punchcard: [], bare: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        process.stdout.write(`measuring ${t.name}: ${CONNECTIONS} connections for ${SECONDS} s… `);
        const result = await cannon(t.url, auth, body, SECONDS);
        checkClean(t.name, result);
        const f = figures(result);
        rounds[t.name].push(f);
        console.log(`${f.requestsPerSecond} req/s, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms`);
      }
    }
    const loadAfter = os.loadavg()[0];
    // Over several rounds: the mean throughput, and the worst of each latency percentile.
    const combine = (fs) =>
      fs.length === 1
        ? fs[0]
        : {
            requestsPerSecond: Math.round(fs.reduce((s, f) => s + f.requestsPerSecond, 0) / fs.length),
            requestsTotal: fs.reduce((s, f) => s + f.requestsTotal, 0),
            latencyMs: Object.fromEntries(Object.keys(fs[0].latencyMs).map((k) => [k, Math.max(...fs.map((f) => f.latencyMs[k]))])),
            rounds: fs,
          };
    const measured = { punchcard: combine(rounds.punchcard), bare: combine(rounds.bare) };

    const ratio = Number((measured.punchcard.requestsPerSecond / measured.bare.requestsPerSecond).toFixed(3));
    const pass = ratio >= TARGET_RATIO;
    const summary =
      `${engine}: punchcard ${measured.punchcard.requestsPerSecond} req/s (p99 ${measured.punchcard.latencyMs.p99} ms) vs bare ` +
      `${measured.bare.requestsPerSecond} req/s (p99 ${measured.bare.latencyMs.p99} ms): ratio ${ratio} (target ≥ ${TARGET_RATIO})`;
    const { 'x-request-id': _id, date: _date, ...stableHeaders } = captured.headers;
    const record = {
      name: NAME,
      summary,
      pass,
      ratio,
      targetRatio: TARGET_RATIO,
      engine,
      time: new Date().toISOString(),
      request: { method: 'GET', path: urlPath.replace(companyId, '{companyId}'), auth: 'Bearer (VIEWER key)', bodyBytes: captured.bytes.length, headers: stableHeaders },
      load: { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, warmupSeconds: WARMUP_SECONDS, pipelining: 1, generator: 'autocannon in the bench process' },
      machine: {
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        platform: `${os.platform()} ${os.release()}`,
        // Other work on the machine skews both servers; a load average well over the core count means noise.
        loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadAfter.toFixed(2)) },
      },
      punchcard: measured.punchcard,
      bare: measured.bare,
    };
    writeResults(NAME, engine, record);
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
