// Metrics of what protects the database: the rate limiter's refusals (and requests it served from this
// process's buckets because Redis could not answer), the database connections' use, read on each scrape, and
// the group commits' sizes and times.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Deps } from '../../application/context.js';
import type { RateLimitObserver } from '../../application/rate-limit.js';

const refusals = new Counter({
  name: 'punchcard_rate_limit_refusals_total',
  help: 'Requests refused with 429 RATE_LIMITED, by bucket (key, or address for requests without a valid key)',
  labelNames: ['scope'],
  registers: [],
});
const fallbacks = new Counter({
  name: 'punchcard_rate_limit_fallbacks_total',
  help: "Requests counted in this process's own buckets because Redis could not answer",
  registers: [],
});

/** What the limiter tells of itself, counted here. */
export const rateLimitMetrics: RateLimitObserver & { fellBack(): void } = {
  refused: (scope) => refusals.labels({ scope }).inc(),
  fellBack: () => fallbacks.inc(),
};

/** Adds the limiter's counters, the connection gauges and the group commits' histograms to a registry; returns the way to stop. */
export function registerOperationsMetrics(registry: Registry, deps: Deps): () => void {
  for (const metric of [refusals, fallbacks]) registry.registerMetric(metric);
  // Both scopes show from the start, at 0, so a rate() over them is defined before the first refusal.
  refusals.labels({ scope: 'key' });
  refusals.labels({ scope: 'address' });
  // The group commits (group-commit.ts): how many commands each held, and how long each took.
  const batchCommands = new Histogram({
    name: 'punchcard_write_batch_commands',
    help: 'Commands in each group commit: balance-moving writes that shared one transaction',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'punchcard_write_batch_seconds',
    help: 'Time of each group commit, from its first statement to its commit returning',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const stop = deps.store.onWriteBatch((batch) => {
    batchCommands.observe(batch.commands);
    batchSeconds.observe(batch.ms / 1000);
  });
  new Gauge({
    name: 'punchcard_db_connections',
    help: 'Database connections of this process: the most there may be (max), open, busy, and callers waiting for one',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const use = deps.store.poolUse();
      this.labels({ state: 'max' }).set(use.max);
      this.labels({ state: 'open' }).set(use.open);
      this.labels({ state: 'busy' }).set(use.busy);
      this.labels({ state: 'waiting' }).set(use.waiting);
    },
  });
  return stop;
}
