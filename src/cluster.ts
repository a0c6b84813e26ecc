// PUNCHCARD_WORKERS > 1: one primary process and N workers (node:cluster) sharing the HTTP and gRPC ports.
// The primary opens the store once, to migrate and to make the first start's demo company, and then only
// supervises: it forks the workers, starts another when one dies (waiting longer each time they keep dying),
// and on SIGTERM or SIGINT has each finish its requests and waits for them. Each worker is the ordinary server
// of main.ts, minus the migrations and the first start. (A worker whose primary is killed exits at once: node's
// cluster ends a worker whose channel to the primary closes unexpectedly.)
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import type { Config, LogLevel } from './config.js';
import { openStore } from './bootstrap.js';
import { systemClock } from './domain/clock.js';
import { firstStart, type FirstStartResult } from './application/first-start.js';

/** A worker that dies is replaced after `firstMs`, doubled for each death in a row up to `maxMs`; one that served for `stableMs` starts the count again. */
export const RESTART_BACKOFF = Object.freeze({ firstMs: 1000, maxMs: 30_000, stableMs: 10_000 });

/** How long the workers have to finish their requests after SIGTERM before they are killed. */
export const SHUTDOWN_GRACE_MS = 25_000;

/** What a worker tells the primary over the cluster's channel. */
type WorkerMessage =
  | { readonly punchcard: 'ready'; readonly httpPort: number; readonly grpcPort: number }
  | { readonly punchcard: 'failed'; readonly message: string };

const isWorkerMessage = (m: unknown): m is WorkerMessage => typeof m === 'object' && m !== null && 'punchcard' in m;

/** In a worker: it is listening on both ports. */
export function reportReady(httpPort: number, grpcPort: number): void {
  const message: WorkerMessage = { punchcard: 'ready', httpPort, grpcPort };
  process.send?.(message);
}

/** In a worker: its start failed; the primary prints why, once, however many workers fail alike. Ends the process. */
export function reportFailure(message: string): void {
  const failed: WorkerMessage = { punchcard: 'failed', message };
  if (process.send) process.send(failed, undefined, undefined, () => process.exit(1));
  else process.exit(1);
}

export interface PrimaryOptions {
  /** Called once, when every worker listens: the start's announcement (and the demo key, if one was made). */
  announce(demo: FirstStartResult | null, httpPort: number, grpcPort: number): void;
}

interface Slot {
  worker: Worker | null;
  /** When its current worker said it was listening; null while it starts. */
  readyAt: number | null;
  /** Deaths in a row, for the back-off. */
  deaths: number;
  restart: NodeJS.Timeout | undefined;
  /** Why the current worker's start failed, if it said. */
  failure: string | null;
}

/**
 * Runs the primary: resolves once every worker listens, rejects (with every worker stopped) when one cannot
 * start. From then on it restarts workers that die and ends the process on SIGTERM or SIGINT.
 */
export async function runPrimary(config: Config, options: PrimaryOptions): Promise<void> {
  const log = primaryLog(config.logLevel);
  const { store } = await openStore(config);
  let demo: FirstStartResult | null;
  try {
    demo = await firstStart({ store, clock: systemClock, masterKey: config.masterKey });
  } finally {
    await store.close();
  }

  const slots: Slot[] = Array.from({ length: config.workers }, () => ({ worker: null, readyAt: null, deaths: 0, restart: undefined, failure: null }));
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  let settle: { resolve(): void; reject(error: Error): void };
  const started = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  /** What ends the process once the last worker has exited. */
  let whenStopped = (): void => process.exit(0);

  const stopAll = (then: () => void) => {
    phase = 'stopping';
    whenStopped = then;
    for (const slot of slots) {
      clearTimeout(slot.restart);
      slot.worker?.process.kill('SIGTERM');
    }
    // A worker still busy after the grace period is killed; the process must end.
    setTimeout(() => {
      for (const slot of slots) slot.worker?.process.kill('SIGKILL');
    }, SHUTDOWN_GRACE_MS).unref();
    stoppedYet();
  };
  const stoppedYet = () => {
    if (phase === 'stopping' && slots.every((s) => s.worker === null)) whenStopped();
  };

  const fork = (slot: Slot) => {
    slot.restart = undefined;
    slot.readyAt = null;
    slot.failure = null;
    const worker = cluster.fork();
    slot.worker = worker;
    worker.on('error', (error) => log('warn', 'worker channel error', { worker: worker.process.pid, err: { message: error.message } }));
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.punchcard === 'failed') {
        slot.failure = message.message;
        return;
      }
      slot.readyAt = Date.now();
      if (phase === 'starting' && slots.every((s) => s.readyAt !== null)) {
        phase = 'running';
        log('info', `${slots.length} workers listening`, { workers: slots.map((s) => s.worker?.process.pid) });
        options.announce(demo, message.httpPort, message.grpcPort);
        settle.resolve();
      } else if (phase === 'running') {
        log('info', 'worker listening', { worker: worker.process.pid });
      }
    });
    worker.on('exit', (code, signal) => {
      if (slot.worker === worker) slot.worker = null;
      if (phase === 'stopping') return stoppedYet();
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      if (phase === 'starting' && slot.readyAt === null) {
        // A worker that cannot start at all (a port taken, the database refusing) would fail again: stop, say why.
        const reason = slot.failure ?? `a worker ${how} while starting`;
        return stopAll(() => settle.reject(new Error(reason)));
      }
      if (slot.readyAt !== null && Date.now() - slot.readyAt >= RESTART_BACKOFF.stableMs) slot.deaths = 0;
      const delayMs = Math.min(RESTART_BACKOFF.maxMs, RESTART_BACKOFF.firstMs * 2 ** slot.deaths);
      slot.deaths++;
      log('error', `worker ${how}; starting another in ${delayMs} ms`, { worker: worker.process.pid, code, signal, reason: slot.failure ?? undefined });
      slot.restart = setTimeout(() => fork(slot), delayMs);
    });
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (phase === 'stopping') return;
    log('info', 'shutting down: the workers finish their in-flight requests', { signal });
    stopAll(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  for (const slot of slots) fork(slot);
  return started;
}

const LEVELS: Record<Exclude<LogLevel, 'silent'>, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** The primary's few lines, in the workers' format (pino's JSON lines on stdout) and at their level. */
function primaryLog(level: LogLevel) {
  const threshold = level === 'silent' ? Infinity : LEVELS[level];
  const hostname = os.hostname();
  return (at: Exclude<LogLevel, 'silent'>, msg: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[at] < threshold) return;
    process.stdout.write(`${JSON.stringify({ level: LEVELS[at], time: Date.now(), pid: process.pid, hostname, role: 'primary', ...fields, msg })}\n`);
  };
}
