// Reads Zenoti's guest packages query: center_id, show_redeemable, page_num, page_size, and the `status`
// and `expand` its clients also send.
import { DomainError, invalidArgument } from '../../domain/errors.js';
import { isValidId } from '../../domain/reference.js';

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;

export interface GuestPackagesQuery {
  readonly guestId: string;
  readonly centerId: string;
  readonly showRedeemable: boolean;
  readonly pageNum: number;
  readonly pageSize: number;
  /** A status code to keep, or null for all (-1 or absent). */
  readonly status: number | null;
}

type Query = Record<string, unknown>;

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalidArgument(name, 'must be given once');
  return value;
}

function integer(query: Query, name: string): number | undefined {
  const text = single(query, name);
  if (text === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(text.trim())) throw invalidArgument(name, 'must be an integer');
  return Number(text);
}

function flag(query: Query, name: string): boolean {
  const text = single(query, name)?.toLowerCase();
  if (text === undefined) return false;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw invalidArgument(name, 'must be true or false');
}

/** Parses and checks the query; page_size over 100 is refused with reason PAGE_SIZE_TOO_LARGE (HTTP 422). */
export function guestPackagesQuery(guestId: string, query: Query): GuestPackagesQuery {
  if (!isValidId(guestId)) throw invalidArgument('guest_id', 'must be an id of 1–64 characters of A–Z, a–z, 0–9, _ and -');
  // The seed names center_id among the parameters every call provides, and `redeemable` means nothing without it.
  const centerId = single(query, 'center_id');
  if (centerId === undefined) throw invalidArgument('center_id', 'is required');
  if (!isValidId(centerId)) throw invalidArgument('center_id', 'must be an id of 1–64 characters of A–Z, a–z, 0–9, _ and -');
  const pageNum = integer(query, 'page_num') ?? 1;
  if (pageNum < 1) throw invalidArgument('page_num', 'must be 1 or more');
  const pageSize = integer(query, 'page_size') ?? DEFAULT_PAGE_SIZE;
  if (pageSize < 1) throw invalidArgument('page_size', `must be from 1 to ${MAX_PAGE_SIZE}`);
  // Zenoti refuses an oversized page with 422 rather than 400.
  if (pageSize > MAX_PAGE_SIZE) {
    throw new DomainError('INVALID_ARGUMENT', `page_size: must be at most ${MAX_PAGE_SIZE}`, {
      reason: 'PAGE_SIZE_TOO_LARGE',
      fieldViolations: [{ field: 'page_size', description: `must be at most ${MAX_PAGE_SIZE}` }],
    });
  }
  const status = integer(query, 'status') ?? -1;
  return { guestId, centerId, showRedeemable: flag(query, 'show_redeemable'), pageNum, pageSize, status: status === -1 ? null : status };
}
