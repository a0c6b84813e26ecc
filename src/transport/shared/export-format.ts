// How an export looks on the wire, the same over HTTP and from the command line: the CSV dialect, the events'
// columns, and an event as one NDJSON line.
import { stringify, type Stringifier } from 'csv-stringify';
import type { NamedEvent } from '../../application/actor-names.js';
import { formatInstant } from '../../domain/calendar.js';
import { toDecimalString } from '../../domain/money.js';
import { presentEvent } from '../native/package-presenters.js';

/** An event as exportEvents hands it out. */
export type ExportedEvent = NamedEvent & { readonly currency: string };

export const EVENT_COLUMNS = [
  'package_id',
  'sequence',
  'id',
  'type',
  'time',
  'record_time',
  'business_id',
  'actor',
  'actor_name',
  'staff_id',
  'redemption_id',
  'package_service_id',
  'quantity',
  'total_remaining_quantity_after',
  'currency',
  'value_change',
  'breakage_change',
  'refund',
  'details',
] as const;

export type EventFormat = 'csv' | 'ndjson';
export const EVENT_FORMATS: readonly EventFormat[] = ['csv', 'ndjson'];

/** RFC 4180 with a header row, lines ending in \n, UTF-8 without a byte-order mark. */
export const csvOf = (columns: readonly string[]): Stringifier => stringify({ header: true, columns: [...columns], record_delimiter: 'unix', bom: false });

/** Flattens an async iterable of batches into a stream of rows. */
export async function* rowsOf<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

/** An event as a row in EVENT_COLUMNS. */
export function eventCsvRow(e: ExportedEvent): Record<(typeof EVENT_COLUMNS)[number], string | number> {
  const shown = presentEvent(e);
  return {
    package_id: e.packageId,
    sequence: e.seq,
    id: e.id,
    type: e.type,
    time: formatInstant(e.time),
    record_time: formatInstant(e.recordTime),
    business_id: e.businessId,
    actor: shown.actor,
    actor_name: e.actorName,
    staff_id: shown.staffId,
    redemption_id: shown.redemptionId,
    package_service_id: shown.packageServiceId,
    quantity: shown.quantity,
    total_remaining_quantity_after: e.totalRemainingAfter,
    currency: e.currency,
    value_change: toDecimalString(e.valueDelta),
    breakage_change: toDecimalString(e.breakageDelta),
    refund: toDecimalString(e.refund),
    details: JSON.stringify(shown.details),
  };
}

/** An event as one NDJSON line: as the events list shows it, with its package's id. */
export const eventNdjsonLine = (e: ExportedEvent): string => `${JSON.stringify({ ...presentEvent(e), packageId: e.packageId })}\n`;
