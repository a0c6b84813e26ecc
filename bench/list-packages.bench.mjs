// MoeGo's ListPackages (POST /v1/packages:list, key check included) for one customer with 10 packages, among
// 10,000 and then 1,000,000 packages of other customers, against a bare node:http server answering the same
// bytes. Targets: Punchcard at no less than half the bare server's throughput, and p99 under 10 ms.
//
// Needs a build (npm run bench does it; or npx tsc -p tsconfig.build.json). Runs alone too:
// node bench/list-packages.bench.mjs. Env: BENCH_SECONDS (default 10) per measurement, BENCH_WARMUP_SECONDS (3),
// BENCH_CONNECTIONS (32), BENCH_FILLER (comma-separated package counts, default 10000,1000000),
// BENCH_DATABASE_URL (postgres://…; a schema of its own is made and dropped; unset: SQLite in a temp dir),
// BENCH_RESULTS_DIR (default bench/results).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { benchSchema } from './lib/pg-schema.mjs';
import { freePort, killAll, start, waitUntil } from './lib/processes.mjs';
import { createBenchCompany, startBenchServer } from './lib/server.mjs';
import { figures, request } from './lib/http.mjs';
import { addFillerPackages, countRows, openBenchDb } from './list-packages-seed.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const NAME = 'list-packages';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const FILLER = (process.env.BENCH_FILLER ?? '10000,1000000').split(',').map(Number);
const BASE_URL = process.env.BENCH_DATABASE_URL || null;
const TARGET_RATIO = 0.5;
// Other work on the machine skews every figure; the record keeps what the load was.
const LOAD_AT_START = os.loadavg().map((x) => Number(x.toFixed(2)));
const TARGET_P99_MS = 10;
const CUSTOMER_PACKAGES = 10;
const PACKAGES_PER_FILLER_CUSTOMER = 10;

async function ok(promise, status, what) {
  const r = await promise;
  if (![status].flat().includes(r.status)) throw new Error(`${what}: expected ${status}, got ${r.status} ${r.bytes.toString()}`);
  return r.bytes.length ? JSON.parse(r.bytes.toString()) : undefined;
}

async function cannon(name, target, seconds) {
  const result = await autocannon({ ...target, connections: CONNECTIONS, duration: seconds });
  const bad = result.non2xx + result.errors + result.timeouts + result.mismatches;
  if (bad > 0 || result.requests.total === 0) {
    throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts, ${result.mismatches} mismatches of ${result.requests.total}`);
  }
  return figures(result);
}

async function main() {
  const schema = BASE_URL ? await benchSchema(BASE_URL) : null;
  let server;
  try {
    // (a) The customer's packages and one filler sale, made by the app itself through its API.
    server = await startBenchServer({ databaseUrl: schema?.url ?? null });
    const { port, engine } = server;
    const barePort = await freePort();
    const { companyId, c, auth } = await createBenchCompany(server);
    const put = (p, body) => ok(request(port, 'PUT', c + p, { headers: auth, body }), 200, `PUT ${p}`);
    await put('/businesses/bus_001', { name: 'Downtown', timeZone: 'America/New_York', currencyCode: 'USD' });
    await put('/customers/cus_123', { firstName: 'Ada', lastName: 'Lovelace' });
    await put('/customers/cus_filler', { firstName: 'Filler', lastName: 'Template' });
    await put('/staff/staff_001', { firstName: 'Sam', lastName: 'Shears' });
    await put('/services/srv_001', { name: 'Basic Grooming', durationMinutes: 60, price: { currencyCode: 'USD', units: 35 } });
    await ok(
      request(port, 'POST', `${c}/packageTemplates`, {
        headers: auth,
        body: {
          id: 'tpl_basic5',
          name: 'Basic Grooming Package',
          description: 'Includes 5 basic grooming sessions',
          price: { currencyCode: 'USD', units: 150 },
          items: [{ serviceIds: ['srv_001'], quantity: 5, unitPrice: { currencyCode: 'USD', units: 30 } }],
          validity: { days: 365 },
        },
      }),
      [200, 201],
      'template',
    );
    const sell = (customerId) =>
      ok(request(port, 'POST', `${c}/packages:sell`, { headers: auth, body: { templateId: 'tpl_basic5', customerId, businessId: 'bus_001', staffId: 'staff_001' } }), [200, 201], 'sell');
    for (let i = 0; i < CUSTOMER_PACKAGES; i++) {
      const sold = await sell('cus_123');
      if (i % 2 === 0) {
        await ok(request(port, 'POST', `${c}/packages/${sold.packageInfo.id}:redeem`, { headers: auth, body: { serviceId: 'srv_001', quantity: 1, businessId: 'bus_001' } }), 200, 'redeem');
      }
    }
    const source = (await sell('cus_filler')).packageInfo.id;
    await server.stop();

    const listBody = JSON.stringify({ pagination: { pageSize: 20, pageToken: '1' }, companyId, customerIds: ['cus_123'] });
    const target = (p) => ({ url: `http://127.0.0.1:${p}/v1/packages:list`, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: listBody });
    const measurements = [];
    let seeded = 0;
    let bare;
    for (const filler of FILLER) {
      // (b) Filler packages of other customers, copied in the database with the server stopped.
      const began = Date.now();
      const db = await openBenchDb({ sqliteFile: path.join(server.dataDir, 'punchcard.db'), databaseUrl: schema?.url ?? null });
      await addFillerPackages(db, {
        companyId,
        sourceId: source,
        from: seeded + 1,
        to: filler,
        customers: Math.max(1, Math.floor(filler / PACKAGES_PER_FILLER_CUSTOMER)),
        onProgress: (n) => process.stdout.write(`${process.stdout.isTTY ? '\r' : '\n'}seeded ${n.toLocaleString('en')} filler packages`),
      });
      const rows = await countRows(db, companyId);
      await db.close();
      if (rows.packages !== filler + CUSTOMER_PACKAGES + 1) throw new Error(`expected ${filler + CUSTOMER_PACKAGES + 1} packages, found ${rows.packages}`);
      const seedSeconds = Number(((Date.now() - began) / 1000).toFixed(1));
      console.log(` (${seedSeconds} s; ${rows.packages.toLocaleString('en')} packages, ${rows.package_items.toLocaleString('en')} items, ${rows.package_events.toLocaleString('en')} events)`);
      seeded = filler;

      await server.start();
      const captured = await request(port, 'POST', '/v1/packages:list', { headers: auth, body: JSON.parse(listBody) });
      const answer = JSON.parse(captured.bytes.toString());
      if (captured.status !== 200 || answer.packages.length !== CUSTOMER_PACKAGES) throw new Error(`list: ${captured.status} ${captured.bytes}`);
      bare ??= start('bare node:http', process.execPath, [path.join(here, 'lib/bare-server.mjs')], {
        PATH: process.env.PATH,
        BARE_PORT: String(barePort),
        BARE_BODY: captured.bytes.toString('base64'),
        BARE_CONTENT_TYPE: captured.headers['content-type'],
      });
      await waitUntil(bare, async () => (await request(barePort, 'GET', '/')).status === 200);
      if (!(await request(barePort, 'POST', '/v1/packages:list', { body: {} })).bytes.equals(captured.bytes)) throw new Error('the bare server answers other bytes');

      const expectBody = captured.bytes.toString('utf8');
      const targets = { punchcard: { ...target(port), expectBody }, bare: { ...target(barePort), expectBody } };
      for (const [name, t] of Object.entries(targets)) await cannon(`${name} warm-up`, t, WARMUP_SECONDS);
      const measured = {};
      for (const [name, t] of Object.entries(targets)) {
        process.stdout.write(`${filler.toLocaleString('en')} filler, ${name}: ${CONNECTIONS} connections for ${SECONDS} s… `);
        measured[name] = await cannon(name, t, SECONDS);
        console.log(`${measured[name].requestsPerSecond} req/s, p50 ${measured[name].latencyMs.p50} ms, p99 ${measured[name].latencyMs.p99} ms`);
      }
      await server.stop();
      const ratio = Number((measured.punchcard.requestsPerSecond / measured.bare.requestsPerSecond).toFixed(3));
      measurements.push({
        fillerPackages: filler,
        rows,
        seedSeconds,
        ratio,
        pass: ratio >= TARGET_RATIO && measured.punchcard.latencyMs.p99 < TARGET_P99_MS,
        punchcard: measured.punchcard,
        bare: measured.bare,
        responseBytes: captured.bytes.length,
      });
    }

    const line = (m) => `${m.fillerPackages.toLocaleString('en')}: ${m.punchcard.requestsPerSecond} req/s p99 ${m.punchcard.latencyMs.p99} ms vs bare ${m.bare.requestsPerSecond} (ratio ${m.ratio})`;
    const summary = `${engine}: ${measurements.map(line).join('; ')} (targets: ratio ≥ ${TARGET_RATIO}, p99 < ${TARGET_P99_MS} ms)`;
    const record = {
      name: NAME,
      summary,
      pass: measurements.every((m) => m.pass),
      targetRatio: TARGET_RATIO,
      targetP99Ms: TARGET_P99_MS,
      engine,
      time: new Date().toISOString(),
      request: { method: 'POST', path: '/v1/packages:list', body: JSON.parse(listBody), auth: 'Bearer (ADMIN key)', customerPackages: CUSTOMER_PACKAGES },
      seeding: 'customer packages through the API; filler copied in the database from one package the app sold (packages, package_items, package_events), server stopped',
      load: { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, pipelining: 1, generator: 'autocannon in the bench process' },
      machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, platform: `${os.platform()} ${os.release()}`, loadAverageAtStart: LOAD_AT_START },
      measurements,
    };
    const results = process.env.BENCH_RESULTS_DIR || path.join(here, 'results');
    fs.mkdirSync(results, { recursive: true });
    fs.writeFileSync(path.join(results, `${NAME}.json`), `${JSON.stringify(record, null, 2)}\n`);
    fs.writeFileSync(path.join(results, `${NAME}.${engine}.json`), `${JSON.stringify(record, null, 2)}\n`);
    console.log(summary);
  } finally {
    await killAll();
    await schema?.drop();
    await server?.remove();
  }
}

main().catch((error) => {
  console.error(`${NAME}: ${error instanceof Error ? error.stack : error}`);
  process.exitCode = 1;
});
