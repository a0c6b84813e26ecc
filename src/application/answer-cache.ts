// Whole answers to the package reads that clients poll (MoeGo's lists, Zenoti's guest packages), kept as the
// surface rendered them, bytes ready to send. Mapping a page of packages to JSON and serialising it cost more
// than finding it; most polls find what the last one found.
//
// An answer is served again only while nothing it shows can differ:
// - the packages are the same versions: the request still reads them from the database (ids and sequence
//   numbers, and the count where one is shown) and compares, so a change by any process shows at once;
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

  /** The answer kept under `key` if it was rendered from what was `found` now, under this generation, and time has not moved past it. */
  get(key: string, found: string, generation: number | null, now: number): Uint8Array | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.found === found && entry.generation === generation && now < entry.until) return entry.answer;
    this.entries.delete(key);
    return undefined;
  }

  /** Keeps an answer rendered at `asOf` from these views; nothing while the generation is unknown. */
  set(key: string, found: string, generation: number | null, asOf: number, views: readonly PackageView[], answer: Uint8Array): void {
    if (generation === null) return;
    let until = Infinity;
    for (const view of views) until = Math.min(until, readingChangesAt(view, asOf));
    if (until <= asOf) return;
    this.entries.set(key, { found, generation, until, answer });
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
