// Webhooks, per engine:
//  1. messages delivered per second by one process's dispatcher to a local receiver (a bare node:http server in
//     its own process answering 204), signed, over keep-alive connections: one endpoint, and eight;
//  2. redemptions per second with three subscribed endpoints (standard, standard, zenoti) against none: the
//     outbox's cost on the write path (target: at most 15%), alternating rounds, the dispatcher not running.
//
// Env: BENCH_SECONDS (6) per redeem round, BENCH_MESSAGES (3000) per delivery run, BENCH_CONCURRENCY (16),
// BENCH_DATABASE_URL (postgres://…) to add PostgreSQL; SQLite always runs, in a temporary directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, killAll, start, waitUntil } from './lib/processes.mjs';
import { benchCompany, master, measure as measureFor } from './lib/ledger.mjs';
import { benchSchema } from './lib/pg-schema.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(path.dirname(here), 'dist', 'src');
const load = (p) => import(path.join(dist, p));
const { openDatabase } = await load('storage/database.js');
const { migrate } = await load('storage/migrate.js');
const { createStore } = await load('storage/store.js');
const { systemClock } = await load('domain/clock.js');
const { redeem } = await load('application/redemption.js');
const { createEndpoint } = await load('application/webhook-endpoints.js');
const { Outbox, pendingMessage } = await load('application/webhook-outbox.js');
const { DEFAULT_DISPATCHER, startDispatcher } = await load('application/webhook-dispatcher.js');
const { createWebhookRenderer } = await load('transport/webhooks/render.js');
const { GenerationCache } = await load('application/generation-cache.js');
const { createHttpSender } = await load('transport/webhooks/http-sender.js');
const { signatureHeaders } = await load('transport/webhooks/signature.js');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TARGET_COST = 0.15;

/** A receiver in its own process, so it does not share this process's core with the dispatcher. */
async function startReceiver() {
  const port = await freePort();
  const script = `const http = require('node:http');
    const s = http.createServer((q, r) => { q.resume(); q.on('end', () => { r.writeHead(204); r.end(); }); });
    s.keepAliveTimeout = 72000; s.listen(${port}, '127.0.0.1', () => console.log('ready'));
    process.on('SIGTERM', () => s.close(() => process.exit(0)));`;
  const handle = start('receiver', process.execPath, ['-e', script], process.env);
  await waitUntil(handle, async () => handle.output().includes('ready'));
  return { handle, url: `http://127.0.0.1:${port}/hooks` };
}

const company = (deps) => benchCompany(deps, 'America/Los_Angeles');
const measure = (workers, once) => measureFor(SECONDS, workers, once);

/** Writes MESSAGES pending messages spread over the endpoints, then times the dispatcher delivering them all. */
async function deliveryRate(deps, store, receiverUrl, endpointCount) {
  const { companyId } = await company(deps);
  const endpoints = [];
  for (let i = 0; i < endpointCount; i++) endpoints.push(await createEndpoint(deps, master, companyId, { url: `${receiverUrl}/${i}`, eventTypes: ['package.sold'] }));
  const body = JSON.stringify({ type: 'package.sold', timestamp: new Date().toISOString(), data: { companyId, packageId: 'pkg_x', filler: 'x'.repeat(2500) } });
  const now = Date.now();
  for (let i = 0; i < MESSAGES; i += 500) {
    const batch = Array.from({ length: Math.min(500, MESSAGES - i) }, (_, n) => pendingMessage(endpoints[(i + n) % endpointCount], { type: 'package.sold', body: () => body }, now, { eventId: null, packageId: null }));
    await store.transaction((repos) => repos.webhookMessages.insert(batch));
  }
  const dispatcher = startDispatcher(
    deps,
    createHttpSender(),
    (secrets, mid, ts, b) => ({ ...signatureHeaders(secrets, mid, ts, b) }),
    { ...DEFAULT_DISPATCHER, pollMs: 20, timeoutMs: 10_000, schedule: [5000], disableAfter: 20 },
    { onError: (e) => console.error(e) },
  );
  const started = performance.now();
  for (;;) {
    const stats = await store.read.webhookMessages.stats();
    if (stats.byStatus.PENDING === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await dispatcher.stop();
  let delivered = 0;
  for (const e of endpoints) delivered += (await store.read.webhookMessages.list(companyId, e.id, 'DELIVERED', { size: MESSAGES, before: null, offset: 0 })).length;
  return { endpoints: endpointCount, messages: MESSAGES, delivered, perSecond: Math.round(MESSAGES / seconds) };
}

async function outboxCost(deps, receiverUrl) {
  const plain = await company(deps);
  const subscribed = await company(deps);
  for (const format of ['standard', 'standard', 'zenoti']) await createEndpoint(deps, master, subscribed.companyId, { url: receiverUrl, format });
  const packagesOf = async (c) => Promise.all(Array.from({ length: CONCURRENCY }, () => c.sell()));
  const [plainPackages, subscribedPackages] = [await packagesOf(plain), await packagesOf(subscribed)];
  const loop = (c, pkgs) => {
    let next = 0;
    return () => redeem(deps, master, c.companyId, pkgs[next++ % pkgs.length].id, { serviceId: 'srv_1', quantity: 1, businessId: 'bus_1' });
  };
  const none = loop(plain, plainPackages);
  const three = loop(subscribed, subscribedPackages);
  await measure(2, none);
  const rounds = { none: [], three: [] };
  for (let round = 0; round < 2; round++) {
    rounds.none.push(await measure(CONCURRENCY, none));
    rounds.three.push(await measure(CONCURRENCY, three));
  }
  const best = { none: Math.max(...rounds.none), three: Math.max(...rounds.three) };
  return { noEndpoints: best.none, threeEndpoints: best.three, cost: Number((1 - best.three / best.none).toFixed(3)), rounds };
}

async function run(engine, databaseUrl, receiverUrl) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-bench-'));
  const db = await openDatabase({ databaseUrl, dataDir, poolSize: CONCURRENCY });
  await migrate(db);
  const store = createStore(db);
  // As main.ts builds it.
  const deps = { store, clock: systemClock, masterKey: null, outbox: new Outbox(createWebhookRenderer({ cache: new GenerationCache(), generation: () => store.changeGeneration() })) };
  const delivery = [await deliveryRate(deps, store, receiverUrl, 1), await deliveryRate(deps, store, receiverUrl, 8)];
  const cost = await outboxCost(deps, receiverUrl);
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { engine, delivery, redeem: cost };
}

const receiver = await startReceiver();
const results = [];
try {
  results.push(await run('sqlite', null, receiver.url));
  if (process.env.BENCH_DATABASE_URL) {
    const schema = await benchSchema(process.env.BENCH_DATABASE_URL, 'bench_webhooks');
    try {
      results.push(await run('postgres', schema.url, receiver.url));
    } finally {
      await schema.drop();
    }
  }
} finally {
  await killAll();
}
for (const r of results) {
  for (const d of r.delivery) console.log(`${r.engine}: ${d.perSecond} messages/s delivered to ${d.endpoints} endpoint(s) (${d.delivered}/${d.messages})`);
  console.log(`${r.engine}: ${r.redeem.threeEndpoints} redemptions/s with 3 endpoints vs ${r.redeem.noEndpoints}/s with none: cost ${(r.redeem.cost * 100).toFixed(1)}% (target ≤ ${TARGET_COST * 100}%)`);
}
const summary = results
  .map((r) => `${r.engine} ${r.delivery.map((d) => `${d.perSecond} msg/s (${d.endpoints} ep)`).join(', ')}; redeem ${r.redeem.threeEndpoints} vs ${r.redeem.noEndpoints}/s = ${(r.redeem.cost * 100).toFixed(1)}% cost`)
  .join('; ');
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
fs.writeFileSync(
  path.join(here, 'results', 'webhooks.json'),
  JSON.stringify(
    { name: 'webhooks', summary, pass: results.every((r) => r.redeem.cost <= TARGET_COST), targetCost: TARGET_COST, seconds: SECONDS, concurrency: CONCURRENCY, results, time: new Date().toISOString(), node: process.version, cpus: os.cpus().length },
    null,
    2,
  ) + '\n',
);
