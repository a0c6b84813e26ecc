// Three read routes for one customer with 10 packages, among 10,000 and up to 10,000,000 packages of other
// customers, each against a bare node:http server answering the same bytes: MoeGo's ListPackages (POST
// /v1/packages:list) and ListPackageDetails (POST /v1/packages/details:list, the 10 ids), and Zenoti's guest
// packages (GET /v1/guests/cus_123/packages), key check included. Then, at each size, redemptions
// (POST …/packages/{id}:redeem), each of another filler package. Targets (issue 12): Punchcard at no less than
// half the bare server's throughput on packages:list with p99 ≤ 10 ms, 0.4 on the other two; ListPackages req/s
// and p99, and redemptions/s, within 15% of each other across sizes ("flat"); the server's RSS under 256 MB
// after the largest run.
//
// Needs a build (npm run bench does it; or npx tsc -p tsconfig.build.json). Runs alone too:
// node bench/list-packages.bench.mjs. Env: BENCH_SECONDS (default 10) per measurement, BENCH_WARMUP_SECONDS (3),
// BENCH_CONNECTIONS (32, reads), BENCH_REDEEM_CONNECTIONS (16), BENCH_FILLER (comma-separated package counts,
// increasing; default 10000,1000000 on SQLite, 10000,1000000,10000000 on PostgreSQL),
// BENCH_DATABASE_URL (postgres://…; a schema of its own is made and dropped; unset: SQLite in a temp dir),
// BENCH_RESULTS_DIR (default bench/results).
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { buildStamp } from './lib/build-stamp.mjs';
import { processMemory } from './lib/memory.mjs';
import { benchSchema } from './lib/pg-schema.mjs';
import { freePort, killAll, start, waitUntil } from './lib/processes.mjs';
import { createBenchCompany, startBenchServer } from './lib/server.mjs';
import { figures, request } from './lib/http.mjs';
import { addFillerPackages, countRows, fillerPackageId, openBenchDb } from './list-packages-seed.mjs';
import { writeResults } from './lib/results.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const NAME = 'list-packages';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const REDEEM_CONNECTIONS = Number(process.env.BENCH_REDEEM_CONNECTIONS ?? 16);
/** Redemption rounds per size; the median counts. */
const REDEEM_ROUNDS = 3;
const BASE_URL = process.env.BENCH_DATABASE_URL || null;
// The issue's sizes: "flat from 10,000 to 10,000,000 packages on PostgreSQL (and 1,000,000 on SQLite)".
const DEFAULT_FILLER = BASE_URL ? '10000,1000000,10000000' : '10000,1000000';
const FILLER = (process.env.BENCH_FILLER || DEFAULT_FILLER).split(',').map(Number);
// Other work on the machine skews every figure; the record keeps what the load was.
const LOAD_AT_START = os.loadavg().map((x) => Number(x.toFixed(2)));
const TARGET_SPREAD = 0.15;
const TARGET_RSS_MB = 256;
const CUSTOMER_PACKAGES = 10;
const PACKAGES_PER_FILLER_CUSTOMER = 10;
/** Units in each filler package (the template's 5): how many times one can be redeemed. */
const FILLER_UNITS = 5;
const REDEEM_BODY = { serviceId: 'srv_001', quantity: 1, businessId: 'bus_001' };

async function ok(promise, status, what) {
  const r = await promise;
  if (![status].flat().includes(r.status)) throw new Error(`${what}: expected ${status}, got ${r.status} ${r.bytes.toString()}`);
  return r.bytes.length ? JSON.parse(r.bytes.toString()) : undefined;
}

/** autocannon for `seconds`; every answer must be a 200 (`firstFailure` tells the first that was not, if known). */
async function cannon(name, target, seconds, { connections = CONNECTIONS, firstFailure = () => null } = {}) {
  const result = await autocannon({ ...target, connections, duration: seconds });
  const other = Object.entries(result.statusCodeStats ?? {}).filter(([code]) => code !== '200');
  const bad = result.non2xx + result.errors + result.timeouts + result.mismatches;
  if (bad > 0 || other.length > 0 || result.requests.total === 0) {
    const codes = other.map(([code, s]) => `${s.count}× ${code}`).join(', ');
    const first = firstFailure();
    throw new Error(
      `${name}: ${result.non2xx} non-2xx${codes ? ` (${codes})` : ''}, ${result.errors} errors, ${result.timeouts} timeouts, ${result.mismatches} mismatches of ${result.requests.total}${first ? `; first: ${first}` : ''}`,
    );
  }
  return figures(result);
}

/** max/min − 1 of the values, and whether that is within the target. */
function spread(values) {
  const [min, max] = [Math.min(...values), Math.max(...values)];
  const s = Number((max / min - 1).toFixed(3));
  return { min, max, spread: s, within: s <= TARGET_SPREAD };
}

/** A bare node:http process answering every request with `captured`'s bytes and content type; answers its port. */
async function startBare(name, captured) {
  const port = await freePort();
  const handle = start(`bare node:http (${name})`, process.execPath, [path.join(here, 'lib/bare-server.mjs')], {
    PATH: process.env.PATH,
    BARE_PORT: String(port),
    BARE_BODY: captured.bytes.toString('base64'),
    BARE_CONTENT_TYPE: captured.headers['content-type'],
  });
  await waitUntil(handle, async () => (await request(port, 'GET', '/')).status === 200);
  const echo = await request(port, 'GET', '/');
  if (!echo.bytes.equals(captured.bytes) || echo.headers['content-type'] !== captured.headers['content-type']) {
    throw new Error(`the bare server for ${name} answers other bytes or another content type`);
  }
  return { port, stop: () => handle.stop() };
}

/**
 * Redemptions through autocannon's setupRequest: each request takes the next filler package id, from
 * `counter.next` on, wrapping to pkg_f000000001 after the size's last (so a package is redeemed again only
 * once every other one has been; it has FILLER_UNITS units). A larger size starts at its first new package
 * (`fresh`), so it redeems packages no smaller size touched, as the first size did.
 */
function redeemTarget(port, c, auth, counter, filler, fresh) {
  let failure = null;
  counter.next = Math.max(counter.next, fresh);
  const from = counter.next;
  const target = {
    url: `http://127.0.0.1:${port}`,
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(REDEEM_BODY),
    requests: [
      {
        setupRequest: (req) => ({ ...req, path: `${c}/packages/${fillerPackageId(((counter.next++ - 1) % filler) + 1)}:redeem` }),
        onResponse: (status, body) => {
          if (status !== 200) failure ??= `${status} ${String(body).slice(0, 500)}`;
        },
      },
    ],
  };
  return { target, firstFailure: () => failure, issued: () => ({ from, to: counter.next - 1 }) };
}

async function main() {
  if (FILLER.some((n, i) => !(n > 0) || (i > 0 && n <= FILLER[i - 1]))) throw new Error(`BENCH_FILLER must be increasing package counts: ${FILLER.join(',')}`);
  const schema = BASE_URL ? await benchSchema(BASE_URL) : null;
  let server;
  try {
    // (a) The customer's packages and one filler sale, made by the app itself through its API.
    server = await startBenchServer({ databaseUrl: schema?.url ?? null });
    const { port, engine } = server;
    const { companyId, c, adminKey, auth } = await createBenchCompany(server);
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
          items: [{ serviceIds: ['srv_001'], quantity: FILLER_UNITS, unitPrice: { currencyCode: 'USD', units: 30 } }],
          validity: { days: 365 },
        },
      }),
      [200, 201],
      'template',
    );
    const sell = (customerId) =>
      ok(request(port, 'POST', `${c}/packages:sell`, { headers: auth, body: { templateId: 'tpl_basic5', customerId, businessId: 'bus_001', staffId: 'staff_001' } }), [200, 201], 'sell');
    const customerPackageIds = [];
    for (let i = 0; i < CUSTOMER_PACKAGES; i++) {
      const sold = await sell('cus_123');
      customerPackageIds.push(sold.packageInfo.id);
      if (i % 2 === 0) await ok(request(port, 'POST', `${c}/packages/${sold.packageInfo.id}:redeem`, { headers: auth, body: REDEEM_BODY }), 200, 'redeem');
    }
    const source = (await sell('cus_filler')).packageInfo.id;
    await server.stop();

    // The routes measured, each with what its answer must hold. Zenoti's center_id is required (the seed names
    // it among the parameters every call sends); its key goes in Zenoti's own `apikey` scheme.
    const json = { ...auth, 'content-type': 'application/json' };
    const pagination = { pageSize: 20, pageToken: '1' };
    const routes = [
      {
        name: 'packages:list',
        method: 'POST',
        path: '/v1/packages:list',
        headers: json,
        body: { pagination, companyId, customerIds: ['cus_123'] },
        count: (a) => a.packages?.length,
        targetRatio: 0.5,
        targetP99Ms: 10,
      },
      {
        name: 'details:list',
        method: 'POST',
        path: '/v1/packages/details:list',
        headers: json,
        body: { companyId, packageIds: customerPackageIds, pagination },
        count: (a) => a.packageDetails?.length,
        targetRatio: 0.4,
      },
      {
        name: 'zenoti guest packages',
        method: 'GET',
        path: '/v1/guests/cus_123/packages?center_id=bus_001',
        headers: { authorization: `apikey ${adminKey}` },
        count: (a) => a.packages?.length,
        targetRatio: 0.4,
      },
    ];
    const target = (route, p) => ({
      url: `http://127.0.0.1:${p}${route.path}`,
      method: route.method,
      headers: route.headers,
      ...(route.body ? { body: JSON.stringify(route.body) } : {}),
    });

    const measurements = [];
    const redeemCounter = { next: 1 };
    let seeded = 0;
    let memory = null;
    for (const [index, filler] of FILLER.entries()) {
      // (b) Filler packages of other customers, copied in the database with the server stopped.
      const began = Date.now();
      const db = await openBenchDb({ sqliteFile: path.join(server.dataDir, 'punchcard.db'), databaseUrl: schema?.url ?? null });
      await addFillerPackages(db, {
        companyId,
        sourceId: source,
        from: seeded + 1,
        to: filler,
        customers: Math.max(1, Math.floor(filler / PACKAGES_PER_FILLER_CUSTOMER)),
        onProgress: (n, note) => {
          const s = (Date.now() - began) / 1000;
          const line = note ?? `seeded ${n.toLocaleString('en')} of ${filler.toLocaleString('en')} filler packages (${s.toFixed(0)} s, ${Math.round((n - seeded) / s).toLocaleString('en')}/s)`;
          process.stdout.write(`${process.stdout.isTTY ? '\r\x1b[K' : '\n'}${line}`);
        },
      });
      const rows = await countRows(db, companyId);
      await db.close();
      if (rows.packages !== filler + CUSTOMER_PACKAGES + 1) throw new Error(`expected ${filler + CUSTOMER_PACKAGES + 1} packages, found ${rows.packages}`);
      const seedSeconds = Number(((Date.now() - began) / 1000).toFixed(1));
      console.log(` (${seedSeconds} s; ${rows.packages.toLocaleString('en')} packages, ${rows.package_items.toLocaleString('en')} items, ${rows.package_events.toLocaleString('en')} events)`);
      seeded = filler;

      // (c) Each read route: Punchcard's answer captured, a bare server answering those bytes, both warmed, both measured.
      const build = buildStamp();
      await server.start();
      const loadAverage = os.loadavg().map((x) => Number(x.toFixed(2)));
      const measuredRoutes = {};
      for (const route of routes) {
        const captured = await request(port, route.method, route.path, { headers: route.headers, body: route.body });
        const answer = captured.status === 200 ? JSON.parse(captured.bytes.toString()) : null;
        if (answer === null || route.count(answer) !== CUSTOMER_PACKAGES) throw new Error(`${route.name}: ${captured.status} ${captured.bytes}`);
        const bare = await startBare(route.name, captured);
        const expectBody = captured.bytes.toString('utf8');
        const targets = { punchcard: { ...target(route, port), expectBody }, bare: { ...target(route, bare.port), expectBody } };
        for (const [name, t] of Object.entries(targets)) await cannon(`${route.name} ${name} warm-up`, t, WARMUP_SECONDS);
        // Bare and Punchcard in turn, twice each, and the faster run of each counts: on a shared machine a burst
        // of other work only ever slows a run, and a slowed baseline would flatter the ratio (a slowed Punchcard
        // run would wrong it).
        const runs = { bare: [], punchcard: [] };
        for (const name of ['bare', 'punchcard', 'bare', 'punchcard']) {
          process.stdout.write(`${filler.toLocaleString('en')} filler, ${route.name}, ${name}: ${CONNECTIONS} connections for ${SECONDS} s… `);
          const f = await cannon(`${route.name} ${name}`, targets[name], SECONDS);
          runs[name].push(f);
          console.log(`${f.requestsPerSecond} req/s, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms`);
        }
        await bare.stop();
        const fastest = (list) => list.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
        const measured = { punchcard: fastest(runs.punchcard), bare: fastest(runs.bare) };
        const ratio = Number((measured.punchcard.requestsPerSecond / measured.bare.requestsPerSecond).toFixed(3));
        const p99Ok = route.targetP99Ms === undefined || measured.punchcard.latencyMs.p99 <= route.targetP99Ms;
        measuredRoutes[route.name] = {
          ratio,
          targetRatio: route.targetRatio,
          ...(route.targetP99Ms === undefined ? {} : { targetP99Ms: route.targetP99Ms }),
          pass: ratio >= route.targetRatio && p99Ok,
          punchcard: measured.punchcard,
          bare: measured.bare,
          bareRequestsPerSecondRuns: runs.bare.map((f) => f.requestsPerSecond),
          punchcardRequestsPerSecondRuns: runs.punchcard.map((f) => f.requestsPerSecond),
          responseBytes: captured.bytes.length,
          contentType: captured.headers['content-type'],
        };
      }

      // (d) Redemptions, each of a filler package (warm-up ones too), after the reads so they do not change
      // what was read. A package redeemed more than FILLER_UNITS times would answer 4xx and fail the bench.
      const redeem = redeemTarget(port, c, auth, redeemCounter, filler, index === 0 ? 1 : FILLER[index - 1] + 1);
      await cannon('redeem warm-up', redeem.target, WARMUP_SECONDS, { connections: REDEEM_CONNECTIONS, firstFailure: redeem.firstFailure });
      // Three rounds, and the median counts: each commit waits for the disk, whose pace swings with checkpoints.
      const rounds = [];
      for (let round = 1; round <= REDEEM_ROUNDS; round++) {
        process.stdout.write(`${filler.toLocaleString('en')} filler, redeem round ${round}: ${REDEEM_CONNECTIONS} connections for ${SECONDS} s… `);
        const f = await cannon('redeem', redeem.target, SECONDS, { connections: REDEEM_CONNECTIONS, firstFailure: redeem.firstFailure });
        rounds.push(f);
        console.log(`${f.requestsPerSecond} redemptions/s, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms`);
      }
      const redeemed = [...rounds].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(REDEEM_ROUNDS / 2)];
      const issued = redeem.issued();

      // (e) After the largest size, the server's memory, read before it stops.
      if (index === FILLER.length - 1) {
        const m = processMemory(server.pid);
        memory = { afterFillerPackages: filler, ...(m ?? { vmRssMB: null, vmHwmMB: null }), targetRssMB: TARGET_RSS_MB, pass: m !== null && m.vmRssMB < TARGET_RSS_MB };
        console.log(`server memory after the ${filler.toLocaleString('en')} run: VmRSS ${memory.vmRssMB} MB, VmHWM ${memory.vmHwmMB} MB (target RSS < ${TARGET_RSS_MB} MB)`);
      }
      await server.stop();
      measurements.push({
        fillerPackages: filler,
        rows,
        seedSeconds,
        loadAverageAtStart: loadAverage,
        build,
        pass: Object.values(measuredRoutes).every((r) => r.pass),
        routes: measuredRoutes,
        redemptions: {
          connections: REDEEM_CONNECTIONS,
          request: { method: 'POST', path: `${c}/packages/{pkg_f…}:redeem`, body: REDEEM_BODY },
          // Ids handed out, warm-up and requests cut off at the end included (each number is one package, wrapping at the size).
          fillerNumbersIssued: issued,
          rounds: rounds.map((f) => f.requestsPerSecond),
          ...redeemed,
        },
      });
    }

    const list = (m) => m.routes['packages:list'].punchcard;
    const spreads = {
      targetSpread: TARGET_SPREAD,
      listRequestsPerSecond: spread(measurements.map((m) => list(m).requestsPerSecond)),
      listP99Ms: spread(measurements.map((m) => list(m).latencyMs.p99)),
      redemptionsPerSecond: spread(measurements.map((m) => m.redemptions.requestsPerSecond)),
      // Recorded, not a target of the issue.
      redemptionP99Ms: spread(measurements.map((m) => m.redemptions.latencyMs.p99)),
    };
    // Sizes compare only if the server was one build throughout (the server restarts after each seeding).
    const sameBuild = new Set(measurements.map((m) => m.build)).size === 1;
    if (!sameBuild) console.warn(`warning: dist/ was rebuilt during the run (${measurements.map((m) => m.build).join(', ')}): the sizes ran different servers`);
    const flat = sameBuild && spreads.listRequestsPerSecond.within && spreads.listP99Ms.within && spreads.redemptionsPerSecond.within;

    const size = (n) => n.toLocaleString('en');
    const routeLine = (route) => {
      const target = `ratio ≥ ${route.targetRatio}${route.targetP99Ms === undefined ? '' : `, p99 ≤ ${route.targetP99Ms} ms`}`;
      const at = measurements.map((m) => {
        const r = m.routes[route.name];
        return `${size(m.fillerPackages)}: ${r.punchcard.requestsPerSecond} req/s p99 ${r.punchcard.latencyMs.p99} ms vs bare ${r.bare.requestsPerSecond} (ratio ${r.ratio})`;
      });
      return `${route.name}: ${at.join('; ')} (target ${target})`;
    };
    const pct = (s) => `${(s.spread * 100).toFixed(1)}%${s.within ? '' : ' (over)'}`;
    const lines = [
      ...routes.map(routeLine),
      `redeem: ${measurements.map((m) => `${size(m.fillerPackages)}: ${m.redemptions.requestsPerSecond}/s p99 ${m.redemptions.latencyMs.p99} ms`).join('; ')}`,
      `spread across sizes (target ≤ ${TARGET_SPREAD * 100}%): list req/s ${pct(spreads.listRequestsPerSecond)}, list p99 ${pct(spreads.listP99Ms)}, redemptions/s ${pct(spreads.redemptionsPerSecond)}`,
      `memory after ${size(memory.afterFillerPackages)}: RSS ${memory.vmRssMB} MB, HWM ${memory.vmHwmMB} MB (target RSS < ${TARGET_RSS_MB} MB)`,
    ];
    if (!sameBuild) lines.push('NOT COMPARABLE: dist/ was rebuilt between sizes');
    const summary = `${engine}: ${lines.join('\n  ')}`;
    const record = {
      name: NAME,
      summary,
      pass: measurements.every((m) => m.pass) && flat && memory.pass,
      targets: {
        routes: Object.fromEntries(routes.map((r) => [r.name, { ratio: r.targetRatio, ...(r.targetP99Ms === undefined ? {} : { p99Ms: r.targetP99Ms }) }])),
        spreadAcrossSizes: TARGET_SPREAD,
        rssMB: TARGET_RSS_MB,
      },
      engine,
      time: new Date().toISOString(),
      requests: Object.fromEntries(
        routes.map((r) => [r.name, { method: r.method, path: r.path, ...(r.body ? { body: r.body } : {}), auth: r.method === 'GET' ? 'apikey (ADMIN key)' : 'Bearer (ADMIN key)' }]),
      ),
      customerPackages: CUSTOMER_PACKAGES,
      seeding: 'customer packages through the API; filler copied in the database from one package the app sold (packages, package_items, package_events), server stopped',
      load: {
        connections: CONNECTIONS,
        redeemConnections: REDEEM_CONNECTIONS,
        seconds: SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        pipelining: 1,
        generator: 'autocannon in the bench process',
        bare: 'one bare node:http process per route and size, answering that route’s captured bytes and content type; measured in turn with Punchcard, twice each; the faster run of each counts',
      },
      machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, platform: `${os.platform()} ${os.release()}`, loadAverageAtStart: LOAD_AT_START },
      measurements,
      sameBuild,
      spreads,
      memory,
    };
    writeResults(NAME, engine, record);
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
