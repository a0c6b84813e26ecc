// Delivers the outbox: every server process claims due messages with a lease (so each is attempted by one
// process at a time), attempts them off the request path with bounded concurrency overall and per endpoint,
// and records each attempt: delivered on a 2xx, retried by the schedule, FAILED when it is spent, and the
// endpoint disabled on a 410 or after too many failed messages in a row.
//
// Every statement is about one company (docs/citus.md), so a process does not ask "what is due anywhere" but
// keeps, per company, when to look next: at once for the messages its own transactions wrote (told after the
// commit) and for those a process without a dispatcher wrote (the CLI: a notice); at the next attempt time the
// outcome of its own attempts set; and, for everything else (another process's retries or leases left by a
// process that died), what a full pass over every company found, every fullPassMs.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { WebhookAttempt, WebhookEndpoint, WebhookMessage } from '../domain/webhooks.js';
import { nextAttemptAfter, signingSecrets, TEST_EVENT_TYPE } from '../domain/webhooks.js';
import type { Deps } from './context.js';
import type { AttemptOutcome, Repos, WebhookAnswer, WebhookSender } from './ports.js';

export interface DispatcherConfig {
  /** An answer later than this is a failed attempt (PUNCHCARD_WEBHOOK_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** The delays between attempts (PUNCHCARD_WEBHOOK_RETRY_SCHEDULE). */
  readonly schedule: readonly number[];
  /** Messages in a row that end FAILED before the endpoint is disabled (PUNCHCARD_WEBHOOK_DISABLE_AFTER). */
  readonly disableAfter: number;
  /** Attempts in flight in this process, and per endpoint. */
  readonly concurrency: number;
  readonly perEndpoint: number;
  /** How often to look for due messages: a due message is attempted within a second. */
  readonly pollMs: number;
  /**
   * How often to ask every company when its next message may be claimed (one indexed read per company). By
   * default 10 s on PostgreSQL and every poll on SQLite, where a read costs microseconds and another process's
   * writes send no notice.
   */
  readonly fullPassMs?: number;
}

export const DEFAULT_DISPATCHER: Omit<DispatcherConfig, 'timeoutMs' | 'schedule' | 'disableAfter'> = { concurrency: 32, perEndpoint: 4, pollMs: 250 };

/** Signs a delivery: the Standard Webhooks headers for these secrets (the transport's signature.ts). */
export type Signer = (secrets: readonly string[], messageId: string, timestampSeconds: number, body: string) => Record<string, string>;

export interface DispatcherHooks {
  readonly onError: (error: unknown) => void;
  /** An attempt ended (for the metrics). */
  readonly onAttempt?: (message: WebhookMessage, answer: WebhookAnswer, outcome: AttemptOutcome) => void;
  /** In [0, 1): the retry schedule's jitter. */
  readonly random?: () => number;
}

export interface Dispatcher {
  /** Looks for due messages now (tests, and right after a change); resolves when the claimed ones are done. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A lease outlives an attempt by this much. API.md promises that an attempt cut short by a dying process is tried
 * again within the timeout + 5 s of a restart: the lease's end plus one poll (and a claim) must fit in that.
 */
const LEASE_MARGIN_MS = 4_000;
const MAX_ERROR = 500;

const isSuccess = (status: number) => status >= 200 && status < 300;

/** What becomes of a message after an attempt that got `answer`, given the schedule. */
export function outcomeOf(config: DispatcherConfig, message: WebhookMessage, answer: WebhookAnswer, at: number, random: number): AttemptOutcome {
  const attempt: WebhookAttempt = {
    time: at,
    responseStatus: answer.status,
    durationMs: Math.max(0, Math.round(answer.durationMs)),
    error: answer.error.slice(0, MAX_ERROR),
    responseBody: answer.body,
  };
  if (isSuccess(answer.status)) return { attempt, status: 'DELIVERED', nextAttemptTime: null };
  if (answer.status === 410) return { attempt, status: 'FAILED', nextAttemptTime: null };
  const retryAfter = answer.status === 429 || answer.status === 503 ? answer.retryAfterMs : null;
  const next = nextAttemptAfter(config.schedule, message.roundAttempts + 1, at + attempt.durationMs, random, retryAfter);
  return next === null ? { attempt, status: 'FAILED', nextAttemptTime: null } : { attempt, status: 'PENDING', nextAttemptTime: next };
}

/**
 * The endpoint after some of its messages ended, in order: a delivered one resets the failures in a row, a FAILED
 * one adds one, and a 410 or too many in a row disable it (its pending messages then fail too).
 */
async function settleEndpoint(repos: Repos, config: DispatcherConfig, endpoint: WebhookEndpoint, ended: readonly { outcome: AttemptOutcome; gone: boolean }[], now: number): Promise<void> {
  let { failedInARow, disabled } = endpoint;
  for (const { outcome, gone } of ended) {
    if (outcome.status === 'PENDING') continue;
    failedInARow = outcome.status === 'DELIVERED' ? 0 : failedInARow + 1;
    if (gone || (outcome.status === 'FAILED' && failedInARow >= config.disableAfter)) disabled = true;
  }
  if (failedInARow === endpoint.failedInARow && disabled === endpoint.disabled) return;
  await repos.webhookEndpoints.update({ ...endpoint, failedInARow, disabled, updateTime: now });
  if (disabled && !endpoint.disabled) await repos.webhookMessages.failPending(endpoint.companyId, endpoint.id);
}

export function startDispatcher(deps: Deps, sender: WebhookSender, sign: Signer, config: DispatcherConfig, hooks: DispatcherHooks): Dispatcher {
  const owner = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  const random = hooks.random ?? Math.random;
  const perEndpoint = new Map<string, number>();
  const running = new Set<Promise<void>>();
  let stopped = false;
  let polling: Promise<void> | null = null;
  // Per company, when a message of it may next be claimed (as far as this process knows).
  const wake = new Map<string, number>();
  const wakeAt = (companyId: string, at: number) => {
    const known = wake.get(companyId);
    if (known === undefined || at < known) wake.set(companyId, at);
  };
  const fullPassMs = config.fullPassMs ?? (deps.store.engine === 'sqlite' ? config.pollMs : 10_000);
  let nextFullPass = -Infinity;

  // Outcomes are written in batches, one transaction for all that ended meanwhile: on SQLite every commit is
  // an fsync, and one per attempt would bound delivery to the disk's commit rate.
  interface Ended {
    readonly message: WebhookMessage;
    readonly answer: WebhookAnswer;
    /** Not sent at all (its endpoint is gone or disabled): it fails without retries. */
    readonly final: boolean;
    readonly done: () => void;
    readonly failed: (error: unknown) => void;
  }
  const ended: Ended[] = [];
  let writing: Promise<void> | null = null;

  async function writeEnded(): Promise<void> {
    const batch = ended.splice(0);
    const now = deps.clock.now();
    const outcomes = batch.map((e): AttemptOutcome => {
      const outcome = outcomeOf(config, e.message, e.answer, now, random());
      return e.final ? { ...outcome, status: 'FAILED', nextAttemptTime: null } : outcome;
    });
    try {
      await deps.store.transaction(async (repos) => {
        const byEndpoint = new Map<string, { companyId: string; endpointId: string; ended: { outcome: AttemptOutcome; gone: boolean }[] }>();
        for (const [n, e] of batch.entries()) {
          const { companyId, id, endpointId } = e.message;
          if (!(await repos.webhookMessages.finishAttempt(companyId, id, owner, outcomes[n]!))) continue; // the lease was lost
          const key = `${companyId}/${endpointId}`;
          const entry = byEndpoint.get(key) ?? { companyId, endpointId, ended: [] };
          entry.ended.push({ outcome: outcomes[n]!, gone: e.answer.status === 410 });
          byEndpoint.set(key, entry);
        }
        for (const { companyId, endpointId, ended: its } of byEndpoint.values()) {
          const endpoint = await repos.webhookEndpoints.get(companyId, endpointId);
          if (endpoint) await settleEndpoint(repos, config, endpoint, its, now);
        }
      });
    } catch (error) {
      // Nothing of the batch was written: the leases run out and the messages are tried again (at least once).
      for (const e of batch) {
        wakeAt(e.message.companyId, now + config.timeoutMs + LEASE_MARGIN_MS);
        e.failed(error);
      }
      return;
    }
    for (const [n, e] of batch.entries()) {
      const next = outcomes[n]!.nextAttemptTime;
      if (outcomes[n]!.status === 'PENDING' && next !== null) wakeAt(e.message.companyId, next);
      hooks.onAttempt?.(e.message, e.answer, outcomes[n]!);
      e.done();
    }
  }

  function record(message: WebhookMessage, answer: WebhookAnswer, final = false): Promise<void> {
    return new Promise<void>((done, failed) => {
      ended.push({ message, answer, final, done, failed });
      const write = (): void => {
        writing = writeEnded().finally(() => {
          writing = null;
          if (ended.length > 0) write();
        });
      };
      if (!writing) write();
    });
  }

  async function deliver(message: WebhookMessage): Promise<void> {
    const endpoint = await deps.store.read.webhookEndpoints.get(message.companyId, message.endpointId);
    // Written by a change that committed while the endpoint was being deleted: it goes the way of the endpoint's
    // other messages, rather than stay in the table with no endpoint to list it under.
    if (!endpoint) {
      await deps.store.transaction((repos) => repos.webhookMessages.dropOrphan(message.companyId, message.id));
      return;
    }
    // A test is sent to a disabled endpoint too: it is how an integrator checks a receiver before enabling it.
    if (endpoint.disabled && message.type !== TEST_EVENT_TYPE) {
      // Written while the endpoint was being disabled: nothing is sent.
      await record(message, { status: 0, durationMs: 0, error: 'not sent: the endpoint is disabled', body: '', retryAfterMs: null }, true);
      return;
    }
    const now = deps.clock.now();
    const headers = { 'content-type': 'application/json', ...sign(signingSecrets(endpoint, now), message.id, Math.floor(now / 1000), message.body) };
    const answer = await sender.send({ url: endpoint.url, headers, body: message.body, timeoutMs: config.timeoutMs });
    await record(message, answer);
  }

  // Claimed messages waiting for a free slot of their endpoint, with when their lease runs out.
  const waiting = new Map<string, { message: WebhookMessage; leaseUntil: number }[]>();
  let waitingCount = 0;
  const keyOf = (m: WebhookMessage) => `${m.companyId}/${m.endpointId}`;

  function start(message: WebhookMessage): void {
    const key = keyOf(message);
    perEndpoint.set(key, (perEndpoint.get(key) ?? 0) + 1);
    const task = deliver(message)
      .catch(hooks.onError)
      .finally(() => {
        const left = (perEndpoint.get(key) ?? 1) - 1;
        if (left === 0) perEndpoint.delete(key);
        else perEndpoint.set(key, left);
        running.delete(task);
        startWaiting(key);
        // Keep the pipe full: once nothing claimed is waiting, look for more at once, not only on the timer
        // (a claim is a commit: one per batch of claims, not one per message).
        if (!stopped && waitingCount === 0) void pollSafely();
      });
    running.add(task);
  }

  /** Starts the next waiting message of an endpoint whose lease still covers a whole attempt; lets the others go. */
  function startWaiting(key: string): void {
    const queue = waiting.get(key);
    while (queue && queue.length > 0 && (perEndpoint.get(key) ?? 0) < config.perEndpoint) {
      const next = queue.shift()!;
      waitingCount--;
      // Too little lease left: leave it; the lease runs out and it is claimed again (by any process).
      if (next.leaseUntil - deps.clock.now() >= config.timeoutMs + 1000) start(next.message);
      else wakeAt(next.message.companyId, next.leaseUntil);
    }
    if (queue && queue.length === 0) waiting.delete(key);
  }

  /** Asks every company when its next message may be claimed. */
  async function fullPass(): Promise<void> {
    for (let after: string | null = null; ; ) {
      const companies = await deps.store.read.companies.listIds(after, 500);
      for (const companyId of companies) {
        if (stopped) return;
        const at = await deps.store.read.webhookMessages.nextClaimable(companyId);
        if (at !== null) wakeAt(companyId, at);
      }
      if (companies.length < 500) return;
      after = companies[companies.length - 1]!;
    }
  }

  // The full pass runs beside the polls, not in them: with many companies it takes a while, and a company
  // known to have work must not wait for it.
  let passing: Promise<void> | null = null;
  const passSafely = (): Promise<void> => {
    nextFullPass = deps.clock.now() + fullPassMs;
    passing ??= fullPass()
      .catch(hooks.onError)
      .finally(() => {
        passing = null;
        if (!stopped) void pollSafely();
      });
    return passing;
  };

  async function poll(): Promise<void> {
    if (stopped) return;
    if (!passing && deps.clock.now() >= nextFullPass) void passSafely();
    for (const [companyId, at] of [...wake]) {
      const now = deps.clock.now();
      const free = config.concurrency - running.size - waitingCount;
      if (stopped || free <= 0) return;
      if (at > now) continue;
      wake.delete(companyId);
      try {
        await claimFor(companyId, now, free);
      } catch (error) {
        wakeAt(companyId, at); // tried again at the next poll
        throw error;
      }
    }
  }

  async function claimFor(companyId: string, now: number, free: number): Promise<void> {
    const leaseUntil = now + config.timeoutMs + LEASE_MARGIN_MS;
    const claimed = await deps.store.transaction((repos) => repos.webhookMessages.claimDue(companyId, owner, now, leaseUntil, free));
    // A full claim may have left more that are due; otherwise the company's next message says when to look again.
    if (claimed.length === free) wakeAt(companyId, now);
    else {
      const at = await deps.store.read.webhookMessages.nextClaimable(companyId);
      if (at !== null) wakeAt(companyId, at);
    }
    for (const message of claimed) {
      // A slow endpoint keeps at most perEndpoint attempts in flight; the rest wait here for its next free slot.
      const key = keyOf(message);
      if ((perEndpoint.get(key) ?? 0) < config.perEndpoint) start(message);
      else {
        waiting.set(key, [...(waiting.get(key) ?? []), { message, leaseUntil }]);
        waitingCount++;
      }
    }
  }

  const pollSafely = () => {
    if (polling) return polling;
    polling = poll()
      .catch(hooks.onError)
      .finally(() => (polling = null));
    return polling;
  };

  const timer = setInterval(() => void pollSafely(), config.pollMs);
  timer.unref();
  // At once, not at the first tick: a process that restarts after a crash learns of the leases left behind now.
  void pollSafely();
  // Messages this process wrote (after their commit), or the CLI did: look at once.
  const stopListening = deps.store.onWebhookWork((companyId) => {
    wakeAt(companyId, deps.clock.now());
    void pollSafely();
  });

  return {
    async runOnce() {
      // A poll or pass already under way may have looked before now: let them end, then look again, at every company.
      if (polling) await polling;
      if (passing) await passing;
      await passSafely();
      await pollSafely();
      while (running.size > 0 || polling || passing) await Promise.all([...running, polling, passing]);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      stopListening();
      await polling;
      await passing;
      await Promise.all([...running]);
    },
  };
}
