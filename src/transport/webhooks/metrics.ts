// Webhook metrics: messages by status, the queue's depth and the age of its oldest pending message (read from the
// outbox on each scrape), and each attempt's latency and outcome (fed by the dispatcher).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Deps } from '../../application/context.js';
import type { DispatcherHooks } from '../../application/webhook-dispatcher.js';
import { MESSAGE_STATUSES } from '../../domain/webhooks.js';

const attempts = new Counter({ name: 'punchcard_webhook_attempts_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers: [] });
const attemptSeconds = new Histogram({
  name: 'punchcard_webhook_attempt_duration_seconds',
  help: 'Time from sending a webhook to its answer (or the timeout)',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [],
});
const deliverySeconds = new Histogram({
  name: 'punchcard_webhook_delivery_latency_seconds',
  help: 'Time from a change to its webhook being delivered (2xx), retries included',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86_400],
  registers: [],
});

/** Hooks for the dispatcher of this process: count and time every attempt. */
export const webhookAttemptMetrics: Pick<DispatcherHooks, 'onAttempt'> = {
  onAttempt(message, answer, outcome) {
    attemptSeconds.observe(answer.durationMs / 1000);
    const result = outcome.status === 'DELIVERED' ? 'delivered' : answer.status === 0 ? 'no_answer' : outcome.status === 'FAILED' ? 'failed' : 'retry';
    attempts.labels({ outcome: result }).inc();
    if (outcome.status === 'DELIVERED') deliverySeconds.observe(Math.max(0, outcome.attempt.time - message.createTime) / 1000);
  },
};

/** Adds the webhook metrics to a registry; the gauges read the outbox when scraped. */
export function registerWebhookMetrics(registry: Registry, deps: Deps): void {
  for (const metric of [attempts, attemptSeconds, deliverySeconds]) registry.registerMetric(metric);
  let stats: ReturnType<Deps['store']['read']['webhookMessages']['stats']> | null = null;
  // One read of the outbox per scrape, shared by the gauges.
  const read = () => (stats ??= deps.store.read.webhookMessages.stats().finally(() => setTimeout(() => (stats = null), 0)));
  new Gauge({
    name: 'punchcard_webhook_messages',
    help: 'Webhook messages by status, over every company',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const s = await read();
      for (const status of MESSAGE_STATUSES) this.labels({ status }).set(s.byStatus[status]);
    },
  });
  new Gauge({
    name: 'punchcard_webhook_oldest_pending_seconds',
    help: 'Age of the oldest pending webhook message (0 when none)',
    registers: [registry],
    async collect() {
      const s = await read();
      this.set(s.oldestPendingTime === null ? 0 : Math.max(0, deps.clock.now() - s.oldestPendingTime) / 1000);
    },
  });
}
