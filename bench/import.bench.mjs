// The packages import (issue 10) through a server process: 100,000 packages of 1–3 items, a generated CSV posted as
// text/csv and streamed from a file, timed as a dry run, as the real import, and as a re-run of the same file (every
// package unchanged); the server's peak memory during each; then the export of the same company (rows/s).
// Targets (issue 10): the import of 100,000 packages within 60 s on SQLite and 120 s on PostgreSQL.
//
// Env: BENCH_IMPORT_PACKAGES (default 100,000), BENCH_IMPORT_CUSTOMERS (existing customers, default 10,000),
// BENCH_DATABASE_URL (postgres://…; adds PostgreSQL, in a schema of its own, dropped after; SQLite always runs, in a
// temporary directory), BENCH_IMPORT_ENGINES (sqlite,postgres: to run one of them only),
// BENCH_IMPORT_CPU_PROF (a directory: the server runs with node --cpu-prof and writes its profile there on exit),
// BENCH_IMPORT_PHASES (default dry,import,rerun,export; the import always runs when rerun or export is asked),
// BENCH_IMPORT_KEEP=1 (keep the database afterwards and print where it is), BENCH_IMPORT_PART_BYTES (the largest file
// sent in one request; default 50,000,000, under the server's 50 MiB), BENCH_RESULTS_DIR (default bench/results).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchSchema } from './lib/pg-schema.mjs';
import { request } from './lib/http.mjs';
import { importReference, writeImportFiles } from './lib/import-csv.mjs';
import { killAll } from './lib/processes.mjs';
import { createBenchCompany, startBenchServer } from './lib/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const PACKAGES = Number(process.env.BENCH_IMPORT_PACKAGES ?? 100_000);
const EXISTING_CUSTOMERS = Number(process.env.BENCH_IMPORT_CUSTOMERS ?? 10_000);
const BASE_URL = process.env.BENCH_DATABASE_URL || null;
const ENGINES = (process.env.BENCH_IMPORT_ENGINES ?? (BASE_URL ? 'sqlite,postgres' : 'sqlite')).split(',').map((e) => e.trim()).filter(Boolean);
const PHASES = new Set((process.env.BENCH_IMPORT_PHASES ?? 'dry,import,rerun,export').split(',').map((p) => p.trim()));
const CPU_PROF_DIR = process.env.BENCH_IMPORT_CPU_PROF || null;
/** Keep the database after the run, for a look at its queries (the schema or data directory is printed). */
const KEEP = process.env.BENCH_IMPORT_KEEP === '1';
/** The import takes a body of up to 50 MB (API.md); a larger file is sent in parts of at most this many bytes each. */
const MAX_BODY_BYTES = Number(process.env.BENCH_IMPORT_PART_BYTES ?? 50 * 1000 * 1000);
/** Seconds for the real import of 100,000 packages (issue 10). */
const TARGET_SECONDS = { sqlite: 60, postgres: 120 };

if (ENGINES.includes('postgres') && !BASE_URL) {
  console.error('import bench: BENCH_IMPORT_ENGINES names postgres but BENCH_DATABASE_URL is not set');
  process.exit(2);
}

const ok = async (promise, status, what) => {
  const r = await promise;
  if (![status].flat().includes(r.status)) throw new Error(`${what}: ${r.status} ${r.bytes.toString().slice(0, 2000)}`);
  return JSON.parse(r.bytes.toString() || '{}');
};

/** The process's memory from /proc: VmRSS now, VmHWM (the peak since the last reset) in MB. */
const memoryOf = (pid) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024, hwm: Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024 };
};
/** Resets the kernel's peak-RSS mark of the process (Linux: "5" to clear_refs); false where that is not allowed. */
const resetPeak = (pid) => {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
};
/** The process's CPU time (user + system) in seconds, from /proc/pid/stat. */
const cpuOf = (pid) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 per second)
};

/** Watches the server's memory and CPU while `work` runs: the peak RSS (sampled every 100 ms, and the kernel's mark). */
async function watched(pid, work) {
  const before = memoryOf(pid);
  const kernelPeak = resetPeak(pid);
  const cpuBefore = cpuOf(pid);
  let peak = before.rss;
  const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(pid).rss)), 100);
  const started = performance.now();
  try {
    const result = await work();
    const seconds = (performance.now() - started) / 1000;
    const after = memoryOf(pid);
    peak = Math.max(peak, after.rss, kernelPeak ? after.hwm : 0);
    return { result, seconds, rssBeforeMb: Math.round(before.rss), rssPeakMb: Math.round(peak), serverCpuSeconds: Number((cpuOf(pid) - cpuBefore).toFixed(1)), loadAfter: Number(os.loadavg()[0].toFixed(2)) };
  } finally {
    clearInterval(sampler);
  }
}

/** POSTs a file as text/csv, streamed from disk; resolves with the status and the answer's JSON. */
function postCsv(port, urlPath, headers, file) {
  return new Promise((resolve, reject) => {
    const size = fs.statSync(file).size;
    let answered = false;
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: urlPath, headers: { ...headers, 'content-type': 'text/csv', 'content-length': size } },
      (res) => {
        answered = true;
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    // A refusal before the whole body is sent (too large) may reset the connection under the upload: keep the answer.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    fs.createReadStream(file).on('error', reject).pipe(req);
  });
}

/** Imports every file in turn (a dry run or not); answers the answers' counts summed. */
async function importFiles(port, c, auth, files, dryRun) {
  const sum = { packages: 0, items: 0, created: 0, unchanged: 0, customersCreated: 0 };
  for (const f of files) {
    const r = await postCsv(port, `${c}/packages:import?dryRun=${dryRun}`, auth, f.file);
    if (r.status !== 200) {
      const tooLarge = r.status === 413 || r.text.includes('PAYLOAD_TOO_LARGE');
      const hint = tooLarge ? ` (the server refused a ${(f.bytes / 1e6).toFixed(1)} MB body: the import must take up to 50 MB)` : '';
      throw new Error(`import${dryRun ? ' (dry run)' : ''} of ${path.basename(f.file)}: ${r.status}${hint} ${r.text.slice(0, 3000)}`);
    }
    const answer = JSON.parse(r.text);
    if (answer.dryRun !== dryRun) throw new Error(`import answered dryRun ${answer.dryRun}, asked ${dryRun}`);
    for (const k of Object.keys(sum)) sum[k] += Number(answer[k] ?? 0);
  }
  return sum;
}

/** Streams GET path, counting lines and bytes; never keeps the body. */
function streamExport(port, urlPath, headers) {
  return new Promise((resolve, reject) => {
    let lines = 0;
    let bytes = 0;
    http
      .get({ host: '127.0.0.1', port, path: urlPath, headers }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`export: ${res.statusCode}`));
        res.on('data', (chunk) => {
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        });
        res.on('end', () => resolve({ lines, bytes }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Runs `task` over `items` from `workers` loops. */
async function pool(items, workers, task) {
  let next = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (next < items.length) await task(items[next++]);
  }));
}

const expect = (what, got, want) => {
  if (got !== want) throw new Error(`${what}: ${got}, expected ${want}`);
};

async function run(engine, reference, generated) {
  const schema = engine === 'postgres' ? await benchSchema(BASE_URL, 'bench_import') : null;
  const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF_DIR)}`, `--cpu-prof-name=import-${engine}-${process.pid}.cpuprofile`] : [];
  let server;
  try {
    // The set-up makes ten thousand requests with one key in seconds.
    server = await startBenchServer({ databaseUrl: schema?.url ?? null, env: { PUNCHCARD_RATE_LIMIT: 'off' }, nodeArgs });
    const { port, pid } = server;
    const { c, auth } = await createBenchCompany(server, { keyName: 'import bench' });
    const put = (p, body) => ok(request(port, 'PUT', c + p, { headers: auth, body }), 200, `PUT ${p}`);
    const money = (cents) => ({ currencyCode: 'USD', units: Math.floor(cents / 100), nanos: (cents % 100) * 10_000_000 });

    const setUp = performance.now();
    for (const b of reference.businesses) await put(`/businesses/${b.id}`, { name: b.name, timeZone: b.timeZone, currencyCode: b.currencyCode });
    for (const s of reference.services) await put(`/services/${s.id}`, { name: s.name, durationMinutes: s.durationMinutes, price: money(s.priceCents) });
    for (const p of reference.products) await put(`/products/${p.id}`, { name: p.name, price: money(p.priceCents) });
    for (const s of reference.staff) await put(`/staff/${s.id}`, { firstName: s.firstName, lastName: s.lastName });
    await pool(reference.existingCustomers, 16, (cu) => put(`/customers/${cu.id}`, { firstName: cu.firstName, lastName: cu.lastName }));
    console.log(`${engine}: set up ${reference.businesses.length} businesses, ${reference.services.length} services, ${reference.products.length} products, ${reference.staff.length} staff, ${reference.existingCustomers.length.toLocaleString('en')} customers in ${((performance.now() - setUp) / 1000).toFixed(1)} s`);

    const { files, counts } = generated;
    const figures = { engine, packages: counts.packages, items: counts.items, files: files.length, megabytes: Number((generated.bytes / 1e6).toFixed(1)) };
    const phase = (name, w) => {
      const perSecond = Math.round(counts.packages / w.seconds);
      figures[name] = { seconds: Number(w.seconds.toFixed(1)), packagesPerSecond: perSecond, rssBeforeMb: w.rssBeforeMb, rssPeakMb: w.rssPeakMb, serverCpuSeconds: w.serverCpuSeconds, loadAfter: w.loadAfter, answer: w.result };
      console.log(`${engine}: ${name}: ${counts.packages.toLocaleString('en')} packages in ${w.seconds.toFixed(1)} s (${perSecond.toLocaleString('en')} packages/s); server RSS ${w.rssBeforeMb} → ${w.rssPeakMb} MB; server CPU ${w.serverCpuSeconds} s; load average ${w.loadAfter}`);
    };

    if (PHASES.has('dry')) {
      const w = await watched(pid, () => importFiles(port, c, auth, files, true));
      expect('dry run: packages', w.result.packages, counts.packages);
      expect('dry run: items', w.result.items, counts.items);
      expect('dry run: created', w.result.created, counts.packages);
      phase('dryRun', w);
    }
    if (PHASES.has('import') || PHASES.has('rerun') || PHASES.has('export')) {
      const w = await watched(pid, () => importFiles(port, c, auth, files, false));
      expect('import: packages', w.result.packages, counts.packages);
      expect('import: items', w.result.items, counts.items);
      expect('import: created', w.result.created, counts.packages);
      expect('import: unchanged', w.result.unchanged, 0);
      phase('import', w);
    }
    if (PHASES.has('rerun')) {
      const w = await watched(pid, () => importFiles(port, c, auth, files, false));
      expect('re-run: created', w.result.created, 0);
      expect('re-run: unchanged', w.result.unchanged, counts.packages);
      phase('rerun', w);
    }
    if (PHASES.has('export')) {
      const w = await watched(pid, () => streamExport(port, `${c}/packages:export`, auth));
      const rows = w.result.lines - 1; // the header
      expect('export: rows', rows, counts.items);
      figures.export = { rows, seconds: Number(w.seconds.toFixed(1)), rowsPerSecond: Math.round(rows / w.seconds), megabytes: Number((w.result.bytes / 1e6).toFixed(1)), rssBeforeMb: w.rssBeforeMb, rssPeakMb: w.rssPeakMb, serverCpuSeconds: w.serverCpuSeconds, loadAfter: w.loadAfter };
      console.log(`${engine}: export: ${rows.toLocaleString('en')} rows in ${w.seconds.toFixed(1)} s (${figures.export.rowsPerSecond.toLocaleString('en')} rows/s, ${figures.export.megabytes} MB); server RSS ${w.rssBeforeMb} → ${w.rssPeakMb} MB`);
    }
    figures.targetSeconds = TARGET_SECONDS[engine];
    figures.pass = figures.import ? figures.import.seconds <= TARGET_SECONDS[engine] : undefined;
    return figures;
  } finally {
    await server?.stop();
    if (KEEP) console.log(`${engine}: kept ${schema ? schema.url : server?.dataDir} (BENCH_IMPORT_KEEP)`);
    else {
      await schema?.drop();
      await server?.remove();
    }
  }
}

/** The commit measured, marked "+changes" when src/ differs from it (others may be editing the tree). */
function commitOf() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'migrations'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+changes` : head;
  } catch {
    return null;
  }
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-import-'));
  try {
    const reference = importReference({ existingCustomers: EXISTING_CUSTOMERS });
    const began = performance.now();
    const generated = writeImportFiles({ dir: tmp, packages: PACKAGES, reference, maxBytes: MAX_BODY_BYTES });
    const { counts, files } = generated;
    const split = files.length === 1 ? 'one file, one request' : `${files.length} files of at most ${MAX_BODY_BYTES / 1e6} MB, sent one after another and timed together`;
    console.log(
      `generated ${counts.packages.toLocaleString('en')} packages, ${counts.items.toLocaleString('en')} rows, ${(generated.bytes / 1e6).toFixed(1)} MB (${split}) in ${((performance.now() - began) / 1000).toFixed(1)} s: ` +
        `${counts.forNewCustomers.toLocaleString('en')} for ${counts.newCustomers.toLocaleString('en')} customers created on the way, ${counts.forExistingCustomers.toLocaleString('en')} for existing ones; ` +
        `${counts.never.toLocaleString('en')} never expiring, ${counts.expired.toLocaleString('en')} expired already; ${counts.itemValue.toLocaleString('en')} with item_value, ${counts.unitPrice.toLocaleString('en')} with unit_price, ${counts.allocated.toLocaleString('en')} allocated; ` +
        `${counts.partlyPaid.toLocaleString('en')} partly paid; ${counts.anyOf.toLocaleString('en')} "any of two" items, ${counts.productItems.toLocaleString('en')} product items`,
    );
    const results = [];
    for (const engine of ENGINES) results.push(await run(engine, reference, generated));

    const line = (r) => {
      const parts = [];
      if (r.import) parts.push(`import ${r.import.seconds} s (${r.import.packagesPerSecond.toLocaleString('en')} pkg/s; target ≤ ${r.targetSeconds} s ${r.pass ? 'met' : 'MISSED'})`);
      if (r.dryRun) parts.push(`dry run ${r.dryRun.seconds} s`);
      if (r.rerun) parts.push(`re-run ${r.rerun.seconds} s`);
      if (r.import) parts.push(`peak RSS ${r.import.rssPeakMb} MB`);
      if (r.export) parts.push(`export ${r.export.rowsPerSecond.toLocaleString('en')} rows/s`);
      return `${r.engine}: ${parts.join(', ')}`;
    };
    const summary = `${PACKAGES.toLocaleString('en')} packages, ${(generated.bytes / 1e6).toFixed(1)} MB in ${files.length} file(s); ${results.map(line).join('; ')}`;
    console.log(summary);
    const pass = results.every((r) => r.pass !== false);
    const meta = { time: new Date().toISOString(), node: process.version, cpus: os.cpus().length, commit: commitOf(), generated: { ...counts, megabytes: Number((generated.bytes / 1e6).toFixed(1)), files: files.map((f) => ({ packages: f.packages, rows: f.rows, megabytes: Number((f.bytes / 1e6).toFixed(1)) })) } };
    const resultsDir = process.env.BENCH_RESULTS_DIR || path.join(here, 'results');
    fs.mkdirSync(resultsDir, { recursive: true });
    for (const r of results) {
      fs.writeFileSync(path.join(resultsDir, `import.${r.engine}.json`), JSON.stringify({ name: 'import', summary: line(r), ...r, ...meta }, null, 2) + '\n');
    }
    fs.writeFileSync(path.join(resultsDir, 'import.json'), JSON.stringify({ name: 'import', summary, pass, results, ...meta }, null, 2) + '\n');
  } finally {
    await killAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
