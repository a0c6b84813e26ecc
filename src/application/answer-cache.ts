// Whole answers to the package reads that clients poll (MoeGo's lists, Zenoti's guest packages), kept as the
// surface rendered them, bytes ready to send. Mapping a page of packages to JSON and serialising it cost more
// than finding it; most polls find what the last one found.
//
// An answer is served again only while nothing it shows can differ:
// - the packages are the same versions: either the store's write generation (SQLite: exact, any process) is
//   what it was, so nothing at all was written since; or the request reads the page's versions from the
//   database (ids and sequence numbers, and the count where one is shown) and they are what they were. Either
//   way a change by any process shows on the very next request;
// - reference data is unchanged: the store's change generation is what it was (a business renamed, a key
//   revoked), and nothing is kept while it cannot be known;
// - time has changed nothing: the request comes before the first instant at which time alone changes one of
//   its packages (domain readingChangesAt: a hold lapsing, a grace ending, a local midnight of a freeze).
import { LRUCache } from 'lru-cache';
import { readingChangesAt } from '../domain/time-passes.js';
import type { PackageView } from './package-tx.js';

interface Entry {
  /** What the database said when it was rendered: the page's versions (and count). */
  readonly found: string;
  /** The store's write generation read before the versions last matched; null when it cannot be known. */
  writes: string | null;
  readonly generation: number;
  /** The first instant at which it may read otherwise by time alone. */
  readonly until: number;
  readonly answer: Uint8Array;
}

export interface AnswerCacheOptions {
  /** Most answers kept. */
  readonly max?: number;
  /** Most bytes kept over all answers. */
  readonly maxBytes?: number;
}

export class AnswerCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor({ max = 20_000, maxBytes = 32 * 1024 * 1024 }: AnswerCacheOptions = {}) {
    this.entries = new LRUCache({ max, maxSize: maxBytes, sizeCalculation: (e) => e.answer.byteLength + e.found.length * 2 + 200 });
  }

  /** The answer kept under `key` if nothing was written anywhere since its versions were last read, and time has changed nothing. */
  unchanged(key: string, writes: string | null, generation: number | null, now: number): Uint8Array | undefined {
    if (writes === null) return undefined;
    const entry = this.entries.get(key);
    return entry && entry.writes === writes && entry.generation === generation && now < entry.until ? entry.answer : undefined;
  }

  /**
   * The answer kept under `key` if it was rendered from what was `found` now, under this generation, and time
   * has not moved past it; `writes` (read before `found`) is remembered, so that later requests need not read.
   */
  get(key: string, found: string, writes: string | null, generation: number | null, now: number): Uint8Array | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.found === found && entry.generation === generation && now < entry.until) {
      entry.writes = writes;
      return entry.answer;
    }
    this.entries.delete(key);
    return undefined;
  }

  /** Keeps an answer rendered at `asOf` from these views; nothing while the generation is unknown. */
  set(key: string, found: string, writes: string | null, generation: number | null, asOf: number, views: readonly PackageView[], answer: Uint8Array): void {
    if (generation === null) return;
    let until = Infinity;
    for (const view of views) until = Math.min(until, readingChangesAt(view, asOf));
    if (until <= asOf) return;
    this.entries.set(key, { found, writes, generation, until, answer });
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A surface's rendering of a read: the key naming the request (surface, company, every parameter), and the bytes. */
export interface Rendering<T> {
  readonly key: string;
  render(result: T): Uint8Array | Promise<Uint8Array>;
}

/** What a page of versions says, as the cache compares it: each id and sequence number, and what else is shown. */
export function foundOf(versions: readonly { readonly id: string; readonly eventSeq: number }[], ...shown: readonly (string | number)[]): string {
  let found = shown.join('|');
  for (const v of versions) found += `|${v.id}:${v.eventSeq}`;
  return found;
}
