// Metrics of what protects the database: the rate limiter's refusals (and requests it served from this
// process's buckets because Redis could not answer), and the database connections' use, read on each scrape.
import { Counter, Gauge, type Registry } from 'prom-client';
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

/** Adds the limiter's counters and the connection gauges to a registry. */
export function registerOperationsMetrics(registry: Registry, deps: Deps): void {
  for (const metric of [refusals, fallbacks]) registry.registerMetric(metric);
  // Both scopes show from the start, at 0, so a rate() over them is defined before the first refusal.
  refusals.labels({ scope: 'key' });
  refusals.labels({ scope: 'address' });
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
}
