// Paging for every list: pageSize 1–500 (default 50) and opaque page tokens of at most 64 characters.
// A token is a cursor: the sort key of the last row of the page before, as "~" and the key's parts joined by
// "." (keyset paging, so a page costs the same however deep). Parts are ids ([A-Za-z0-9_-], so "." cannot
// occur in them), decimal integers, or empty for null. A one-part key of 64 characters is its own token
// (the mark would not fit). A plain decimal number N asks for page N (MoeGo's clients send "1").
import { invalidArgument } from '../domain/errors.js';
import { isValidId } from '../domain/reference.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
const MAX_TOKEN = 64;

export interface PageRequest {
  readonly size: number;
  /**
   * Keyset: return rows whose key is greater than this cursor, its parts joined by "." (a one-part cursor is
   * the id itself, as lists in id order read it); null from the start.
   */
  readonly after: string | null;
  /** Page-number tokens: rows to skip. */
  readonly offset: number;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextPageToken: string;
}

/** One part of a sort key: an id, an integer, or null (as "never expires" sorts). */
export type KeyPart = string | number | null;
/** What each part of a list's sort key is: how a cursor reads back. */
export type KeyShape = readonly ('id' | 'int' | 'int?')[];

const PART = /^[A-Za-z0-9_-]*$/;
const INTEGER = /^-?\d{1,16}$/;

const notOurs = (field: string) => invalidArgument(field, 'is not a page token this service issued');

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
  if (typeof pageToken !== 'string' || pageToken.length > MAX_TOKEN) {
    throw invalidArgument(fields.token, `must be a page token of at most ${MAX_TOKEN} characters`);
  }
  if (/^\d{1,9}$/.test(pageToken)) {
    const page = Number(pageToken);
    if (page < 1) throw invalidArgument(fields.token, 'page numbers start at 1');
    return { size, after: null, offset: (page - 1) * size };
  }
  return { size, after: cursorText(pageToken, fields.token), offset: 0 };
}

/** The cursor a token carries, its parts joined by "."; refuses anything no list issues. */
function cursorText(token: string, field: string): string {
  if (!token.startsWith('~')) {
    if (token.length !== MAX_TOKEN || !isValidId(token)) throw notOurs(field);
    return token;
  }
  const text = token.slice(1);
  const parts = text.split('.');
  if (parts.some((part) => !PART.test(part)) || (parts.length === 1 && text === '')) throw notOurs(field);
  return text;
}

function partText(part: KeyPart): string {
  if (part === null) return '';
  if (typeof part === 'number') {
    if (!Number.isSafeInteger(part)) throw new Error(`a sort key part must be a safe integer, not ${part}`);
    return String(part);
  }
  if (!isValidId(part)) throw new Error(`a sort key part must be an id, not "${part}"`);
  return part;
}

/** The token that continues after a row with this sort key (a bare id is a one-part key). */
export function cursorToken(key: string | readonly KeyPart[]): string {
  const parts = typeof key === 'string' ? [key] : key;
  if (parts.length === 0) throw new Error('a sort key has at least one part');
  const text = parts.map(partText).join('.');
  if (parts.length === 1 && typeof parts[0] === 'string' && text.length === MAX_TOKEN) return text;
  const token = `~${text}`;
  // Keys are bounded (server ids are 30 characters): a longer one is a bug, never a client's doing.
  if (token.length > MAX_TOKEN) throw new Error(`a page token of ${token.length} characters is over ${MAX_TOKEN}`);
  return token;
}

/** The token after a row of a list in id order. */
export const tokenAfter = (id: string): string => cursorToken([id]);

/**
 * The sort key a request continues after, read by the list's shape, or null from the start. A cursor of
 * another shape (another list's token) is INVALID_ARGUMENT.
 */
export function cursorOf(page: PageRequest, shape: KeyShape, field = 'pageToken'): KeyPart[] | null {
  if (page.after === null) return null;
  const parts = page.after.split('.');
  if (parts.length !== shape.length) throw notOurs(field);
  return parts.map((text, n) => {
    const kind = shape[n]!;
    if (kind === 'id') {
      if (!isValidId(text)) throw notOurs(field);
      return text;
    }
    if (kind === 'int?' && text === '') return null;
    if (!INTEGER.test(text) || !Number.isSafeInteger(Number(text))) throw notOurs(field);
    return Number(text);
  });
}

/** Turns size+1 fetched rows into a page and the token for the next one, from the last row's sort key. */
export function pageOf<T>(rows: T[], request: PageRequest, keyOf: (row: T) => string | readonly KeyPart[]): Page<T> {
  if (rows.length <= request.size) return { items: rows, nextPageToken: '' };
  const items = rows.slice(0, request.size);
  return { items, nextPageToken: cursorToken(keyOf(items[items.length - 1]!)) };
}
