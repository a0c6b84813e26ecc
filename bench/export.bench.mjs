// The packages export of a company of BENCH_EXPORT_PACKAGES packages (default 1,000,000) through a server process:
// rows per second, and the server's resident memory sampled while the CSV streams, against its memory before.
// The export must run in constant memory (issue 10): the peak may not grow with the company.
//
// Env: BENCH_EXPORT_PACKAGES, BENCH_DATABASE_URL (postgres://…; a schema of its own, dropped after; unset: SQLite),
// BENCH_RESULTS_DIR (default bench/results; test/system/export-memory.test.ts runs it into a folder of its own).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchSchema } from './lib/pg-schema.mjs';
import { request } from './lib/http.mjs';
import { killAll } from './lib/processes.mjs';
import { createBenchCompany, startBenchServer } from './lib/server.mjs';
import { addFillerPackages, countRows, openBenchDb } from './list-packages-seed.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PACKAGES = Number(process.env.BENCH_EXPORT_PACKAGES ?? 1_000_000);
const BASE_URL = process.env.BENCH_DATABASE_URL || null;
/** The peak may exceed the memory before the export by at most this much, whatever the size. */
const MAX_GROWTH_MB = 100;
/** The server's V8 heap limit for the run (BENCH_EXPORT_HEAP_MB): an export that held its rows would run out. */
const HEAP_MB = Number(process.env.BENCH_EXPORT_HEAP_MB ?? 256);

const ok = async (promise, status, what) => {
  const r = await promise;
  if (![status].flat().includes(r.status)) throw new Error(`${what}: ${r.status} ${r.bytes}`);
  return JSON.parse(r.bytes.toString() || '{}');
};

/** The process's resident set in MB, from /proc. */
const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** Streams GET path, counting lines and bytes, sampling the server's memory; never keeps the body. */
function streamExport(port, urlPath, headers, pid) {
  return new Promise((resolve, reject) => {
    let lines = 0;
    let bytes = 0;
    let peak = rssOf(pid);
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 100);
    const started = performance.now();
    http
      .get({ host: '127.0.0.1', port, path: urlPath, headers }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`export: ${res.statusCode}`));
        res.on('data', (chunk) => {
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        });
        res.on('end', () => {
          clearInterval(sampler);
          resolve({ lines, bytes, seconds: (performance.now() - started) / 1000, peakMb: Math.max(peak, rssOf(pid)) });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function main() {
  const schema = BASE_URL ? await benchSchema(BASE_URL, 'bench_export') : null;
  let server;
  try {
    // A small heap shows whether memory is bounded: garbage V8 has not collected yet also counts in RSS.
    server = await startBenchServer({ databaseUrl: schema?.url ?? null, env: { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` } });
    const { port, engine } = server;
    const { companyId, c, auth } = await createBenchCompany(server);
    const put = (p, body) => ok(request(port, 'PUT', c + p, { headers: auth, body }), 200, `PUT ${p}`);
    await put('/businesses/bus_001', { name: 'Downtown', timeZone: 'America/New_York', currencyCode: 'USD' });
    await put('/customers/cus_filler', { firstName: 'Filler', lastName: 'Template' });
    await put('/services/srv_001', { name: 'Basic Grooming', durationMinutes: 60, price: { currencyCode: 'USD', units: 35 } });
    await ok(
      request(port, 'POST', `${c}/packageTemplates`, {
        headers: auth,
        body: { id: 'tpl_basic5', name: 'Basic Grooming Package', price: { currencyCode: 'USD', units: 150 }, items: [{ serviceIds: ['srv_001'], quantity: 5 }], validity: { days: 365 } },
      }),
      201,
      'template',
    );
    const source = (await ok(request(port, 'POST', `${c}/packages:sell`, { headers: auth, body: { templateId: 'tpl_basic5', customerId: 'cus_filler', businessId: 'bus_001' } }), 200, 'sell')).packageInfo.id;
    await server.stop();

    const began = Date.now();
    const db = await openBenchDb({ sqliteFile: path.join(server.dataDir, 'punchcard.db'), databaseUrl: schema?.url ?? null });
    await addFillerPackages(db, { companyId, sourceId: source, from: 1, to: PACKAGES - 1, customers: Math.max(1, Math.floor(PACKAGES / 4)) });
    const rows = await countRows(db, companyId);
    await db.close();
    if (rows.packages !== PACKAGES) throw new Error(`expected ${PACKAGES} packages, found ${rows.packages}`);
    console.log(`${engine}: seeded ${rows.packages.toLocaleString('en')} packages in ${((Date.now() - began) / 1000).toFixed(1)} s`);

    await server.start();
    await request(port, 'GET', '/readyz');
    const before = rssOf(server.pid);
    const result = await streamExport(port, `${c}/packages:export`, auth, server.pid);
    await server.stop();
    const exported = result.lines - 1; // the header
    if (exported !== PACKAGES) throw new Error(`exported ${exported} rows, expected ${PACKAGES}`);
    const growth = result.peakMb - before;
    const figures = {
      engine,
      packages: PACKAGES,
      rowsPerSecond: Math.round(exported / result.seconds),
      seconds: Number(result.seconds.toFixed(1)),
      megabytes: Number((result.bytes / 1e6).toFixed(1)),
      rssBeforeMb: Math.round(before),
      rssPeakMb: Math.round(result.peakMb),
      growthMb: Math.round(growth),
    };
    const summary = `${engine}: ${PACKAGES.toLocaleString('en')} packages exported in ${figures.seconds} s (${figures.rowsPerSecond.toLocaleString('en')} rows/s, ${figures.megabytes} MB); server RSS ${figures.rssBeforeMb} MB before, ${figures.rssPeakMb} MB at its peak (+${figures.growthMb} MB; limit +${MAX_GROWTH_MB})`;
    console.log(summary);
    const results = process.env.BENCH_RESULTS_DIR || path.join(here, 'results');
    fs.mkdirSync(results, { recursive: true });
    fs.writeFileSync(
      path.join(results, `export.${engine}.json`),
      JSON.stringify({ name: 'export', summary, pass: growth <= MAX_GROWTH_MB, ...figures, time: new Date().toISOString(), node: process.version }, null, 2) + '\n',
    );
    fs.writeFileSync(path.join(results, 'export.json'), JSON.stringify({ name: 'export', summary, pass: growth <= MAX_GROWTH_MB }, null, 2) + '\n');
  } finally {
    await killAll();
    await schema?.drop();
    await server?.remove();
  }
}

await main();
