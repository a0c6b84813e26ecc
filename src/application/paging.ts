// Paging for every list: pageSize 1–500 (default 50) and opaque page tokens of at most 64 characters.
// A token is the last id of the previous page (keyset paging, so a page costs the same however deep), marked
// with "~" unless the id is 64 characters long; a plain decimal number N asks for page N (MoeGo's clients send "1").
import { invalidArgument } from '../domain/errors.js';
import { isValidId } from '../domain/reference.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface PageRequest {
  readonly size: number;
  /** Keyset: return rows whose key is greater than this. */
  readonly after: string | null;
  /** Page-number tokens: rows to skip. */
  readonly offset: number;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextPageToken: string;
}

export function parsePageRequest(
  pageSize: unknown,
  pageToken: unknown,
  fields: { size: string; token: string } = { size: 'pageSize', token: 'pageToken' },
): PageRequest {
  let size = DEFAULT_PAGE_SIZE;
  if (pageSize !== undefined && pageSize !== null && pageSize !== '') {
    const n = typeof pageSize === 'string' && /^-?\d+$/.test(pageSize) ? Number(pageSize) : pageSize;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
      throw invalidArgument(fields.size, `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    size = n;
  }
  if (pageToken === undefined || pageToken === null || pageToken === '') return { size, after: null, offset: 0 };
  if (typeof pageToken !== 'string' || pageToken.length > 64) {
    throw invalidArgument(fields.token, 'must be a page token of at most 64 characters');
  }
  if (/^\d{1,9}$/.test(pageToken)) {
    const page = Number(pageToken);
    if (page < 1) throw invalidArgument(fields.token, 'page numbers start at 1');
    return { size, after: null, offset: (page - 1) * size };
  }
  const id = pageToken.startsWith('~') ? pageToken.slice(1) : pageToken;
  if (!isValidId(id) || (!pageToken.startsWith('~') && id.length !== 64)) {
    throw invalidArgument(fields.token, 'is not a page token this service issued');
  }
  return { size, after: id, offset: 0 };
}

export const tokenAfter = (id: string): string => (id.length >= 64 ? id : `~${id}`);

/** Turns size+1 fetched rows into a page and the token for the next one. */
export function pageOf<T>(rows: T[], request: PageRequest, keyOf: (row: T) => string): Page<T> {
  if (rows.length <= request.size) return { items: rows, nextPageToken: '' };
  const items = rows.slice(0, request.size);
  return { items, nextPageToken: tokenAfter(keyOf(items[items.length - 1]!)) };
}
