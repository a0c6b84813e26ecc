// Webhooks as the domain sees them: which changes an endpoint hears of, the messages that carry them, and when a
// message that was not acknowledged is tried again.
import { invalidArgument } from './errors.js';
import type { EventType } from './ledger.js';
import { EVENT_TYPES } from './ledger.js';

export const WEBHOOK_FORMATS = ['standard', 'zenoti'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** `package.` and the history's event type in lower case, and the sweeper's `package.expiring_soon`. */
export const WEBHOOK_EVENT_TYPES: readonly string[] = [...EVENT_TYPES.map((t) => `package.${t.toLowerCase()}`), 'package.expiring_soon'];
export const TEST_EVENT_TYPE = 'webhook.test';

export const webhookTypeOf = (type: EventType): string => `package.${type.toLowerCase()}`;

export interface WebhookEndpoint {
  readonly companyId: string;
  readonly id: string;
  readonly url: string;
  /** Empty: every event type. */
  readonly eventTypes: readonly string[];
  readonly format: WebhookFormat;
  readonly description: string;
  readonly disabled: boolean;
  /** The signing secret, `whsec_` + base64 of 32 random bytes. */
  readonly secret: string;
  /** The secret before the last rotation, still signing until previousSecretExpireTime. */
  readonly previousSecret: string | null;
  readonly previousSecretExpireTime: number | null;
  /** Messages in a row that ended FAILED; reset by a delivered one. */
  readonly failedInARow: number;
  readonly createTime: number;
  readonly updateTime: number;
}

/** Whether the endpoint hears of this webhook type. */
export const subscribes = (e: WebhookEndpoint, type: string): boolean => !e.disabled && (e.eventTypes.length === 0 || e.eventTypes.includes(type));

/** The secrets a delivery at `now` is signed with: the current one, and the previous one during a rotation. */
export function signingSecrets(e: WebhookEndpoint, now: number): string[] {
  const previous = e.previousSecret !== null && e.previousSecretExpireTime !== null && now < e.previousSecretExpireTime ? [e.previousSecret] : [];
  return [e.secret, ...previous];
}

export const MESSAGE_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface WebhookMessage {
  readonly companyId: string;
  /** The webhook-id: the same on every attempt, for receivers to drop duplicates. */
  readonly id: string;
  readonly endpointId: string;
  /** As the message log shows it: `package.redeemed`, or Zenoti's `GuestPackage.Redeemed`. */
  readonly type: string;
  /** The history event it carries, if any (a test message carries none). */
  readonly eventId: string | null;
  readonly packageId: string | null;
  /** The JSON body, exactly as sent every time. */
  readonly body: string;
  readonly status: MessageStatus;
  readonly attempts: number;
  /** Attempts since it was last (re)delivered by hand: the retry schedule counts these. */
  readonly roundAttempts: number;
  readonly createTime: number;
  /** When the next attempt is due; null once it is DELIVERED or FAILED. */
  readonly nextAttemptTime: number | null;
  readonly lastAttemptTime: number | null;
  /** 0 for no answer, as in the attempts. */
  readonly lastResponseStatus: number;
}

export interface WebhookAttempt {
  readonly time: number;
  /** 0 when no answer came (refused, timed out, cut short). */
  readonly responseStatus: number;
  readonly durationMs: number;
  readonly error: string;
  /** The first 1 KB of the answer. */
  readonly responseBody: string;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Reads a retry schedule such as `5s,5m,30m,2h,5h,10h,10h`; each delay a positive number with ms, s, m or h. */
export function parseRetrySchedule(text: string, name = 'PUNCHCARD_WEBHOOK_RETRY_SCHEDULE'): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.length > 50) throw invalidArgument(name, 'must list 1 to 50 delays');
  return parts.map((p) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(p);
    const ms = m ? Math.round(Number(m[1]) * UNIT_MS[m[2]!]!) : NaN;
    if (!Number.isSafeInteger(ms) || ms < 1 || ms > 7 * 86_400_000) {
      throw invalidArgument(name, `"${p}" is not a delay such as 500ms, 5s, 30m or 2h (at most 7 days)`);
    }
    return ms;
  });
}

/**
 * When to try again after the attempt numbered `attempts` (1 for the first) failed, or null when the schedule is
 * spent (the message FAILS). Each delay is lengthened by up to 10% at random (`random` in [0, 1)); after a 429
 * or 503 with Retry-After, the next attempt waits that long, never longer than the schedule's next delay.
 */
export function nextAttemptAfter(schedule: readonly number[], attempts: number, failedAt: number, random: number, retryAfterMs: number | null): number | null {
  const delay = schedule[attempts - 1];
  if (delay === undefined) return null;
  const jittered = Math.round(delay * (1 + 0.1 * random));
  return failedAt + (retryAfterMs === null ? jittered : Math.min(Math.max(retryAfterMs, 0), jittered));
}
