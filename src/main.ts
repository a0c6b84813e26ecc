// loadConfig → open storage and migrate → build the servers → listen. SIGTERM finishes in-flight requests.
// `node dist/src/main.js` and the command line's `serve` both start here; with PUNCHCARD_WORKERS > 1 this
// process becomes the primary of a cluster (cluster.ts) and each worker runs startServer.
import cluster from 'node:cluster';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openStore } from './bootstrap.js';
import { systemClock } from './domain/clock.js';
import type { Deps } from './application/context.js';
import { firstStart, type FirstStartResult } from './application/first-start.js';
import { GenerationCache } from './application/generation-cache.js';
import { PackageCache } from './application/package-cache.js';
import { AnswerCache } from './application/answer-cache.js';
import { buildServers, type Servers } from './servers.js';
import { openRateLimiter } from './rate-limiter.js';
import { startSweeper } from './application/sweeper.js';
import { Outbox } from './application/webhook-outbox.js';
import { DEFAULT_DISPATCHER, startDispatcher } from './application/webhook-dispatcher.js';
import { createWebhookRenderer } from './transport/webhooks/render.js';
import { createHttpSender } from './transport/webhooks/http-sender.js';
import { signatureHeaders } from './transport/webhooks/signature.js';
import { webhookAttemptMetrics } from './transport/webhooks/metrics.js';
import { reportFailure, reportReady, runPrimary } from './cluster.js';

/** Serves in this process, or, with PUNCHCARD_WORKERS > 1, as the cluster's primary or one of its workers. */
export async function serve(config: Config): Promise<void> {
  if (config.workers === 1) return startServer(config);
  if (cluster.isPrimary) return runPrimary(config, { announce: announceStart });
  try {
    await startServer(config, { worker: true });
  } catch (error) {
    reportFailure(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Starts the server and its background work; SIGTERM or SIGINT stops it and ends the process. A cluster's
 * worker leaves the migrations and the first start to the primary, which did them before forking it.
 */
export async function startServer(config: Config, options: { worker?: boolean } = {}): Promise<void> {
  const worker = options.worker === true;
  const { store } = await openStore(config, { migrate: !worker });
  let log: Servers['log'] | undefined;
  const rateLimiter = openRateLimiter(config, (error) =>
    error ? log?.warn({ err: error }, 'Redis is not answering: rate limits are counted in each process until it is back') : log?.info('Redis answers again: rate limits are shared'),
  );
  const deps: Deps = {
    ...(rateLimiter ? { rateLimiter } : {}),
    store,
    clock: systemClock,
    masterKey: config.masterKey,
    keyCache: new GenerationCache(),
    referenceCache: new GenerationCache(),
    packageCache: new PackageCache(),
    answerCache: new AnswerCache(),
    outbox: new Outbox(createWebhookRenderer({ cache: new GenerationCache(), generation: () => store.changeGeneration() })),
  };
  const servers = await buildServers(deps, config);
  log = servers.log;
  await servers.listen();

  // Lapsed holds and expired packages are written to the ledger every few seconds by every process, and
  // packages coming near their expiration are announced to the endpoints that listen.
  const sweeper = startSweeper(deps, config.sweepIntervalMs, (error) => servers.log.error({ err: error }, 'sweep failed'), {
    expiringSoonDays: config.webhooks.expiringSoonDays,
  });
  // Every process delivers the outbox; leases keep each message to one process at a time.
  const dispatcher = startDispatcher(
    deps,
    createHttpSender(),
    (secrets, id, timestamp, body) => ({ ...signatureHeaders(secrets, id, timestamp, body) }),
    { ...DEFAULT_DISPATCHER, timeoutMs: config.webhooks.timeoutMs, schedule: config.webhooks.retrySchedule, disableAfter: config.webhooks.disableAfter },
    { onError: (error) => servers.log.error({ err: error }, 'webhook delivery failed'), ...webhookAttemptMetrics },
  );
  if (worker) reportReady(servers.httpPort(), servers.grpcPort());
  else announceStart(await firstStart(deps), servers.httpPort(), servers.grpcPort());

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    servers.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await servers.close();
    await sweeper.stop();
    await dispatcher.stop();
    await store.close();
    await rateLimiter?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** The start's one announcement: where it runs and, on the first start, the demo key (shown only this once). */
function announceStart(demo: FirstStartResult | null, httpPort: number, grpcPort: number): void {
  const url = `http://localhost:${httpPort}`;
  if (demo) {
    console.log(
      [
        '',
        `Punchcard is running at ${url}`,
        `First start: created the demo company "${demo.companyId}" and an ADMIN key to sign in with.`,
        `It is shown only this once (lost it? npm run keys -- create --company ${demo.companyId} --role ADMIN):`,
        '',
        `    ${demo.key}`,
        '',
        `Open ${url}/ and sign in with it, or: curl -H "Authorization: Bearer <key>" ${url}/v1/me`,
        `Fill it with sample data: npm run demo`,
        '',
      ].join('\n'),
    );
  } else {
    console.log(`Punchcard is running at ${url} (gRPC on port ${grpcPort}); API docs at ${url}/docs`);
  }
}

/** The one line a failed start prints. */
export function startFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  return `failed to start: ${error instanceof Error ? error.message : String(error)}`;
}

/** Whether this file is the program node was asked to run, rather than imported by the command line. */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return fs.realpathSync(entry) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  Promise.resolve()
    .then(() => serve(loadConfig()))
    .catch((error: unknown) => {
      console.error(`punchcard: ${startFailure(error)}`);
      process.exit(1);
    });
}
