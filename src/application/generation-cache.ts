// What this process has read of keys and reference data, so that a request need not read it again. An entry is
// good only while the store's change generation stays what it was when the entry was read: any revocation or
// reference-data change, here or in another process, moves it and empties the cache, so nothing stale is used.
// The protocol: read the generation, read the data, and store it only if the generation has not moved since.
// Within a generation, at most `limit` entries are kept, the least recently used going first.
import { LRUCache } from 'lru-cache';

export class GenerationCache<V extends {}> {
  private readonly entries: LRUCache<string, V>;
  private generation: number | null = null;

  constructor(limit = 10_000) {
    this.entries = new LRUCache({ max: limit });
  }

  get(key: string, current: number | null): V | undefined {
    if (current === null || current !== this.generation) {
      this.entries.clear();
      this.generation = current;
      return undefined;
    }
    return this.entries.get(key);
  }

  set(key: string, value: V, generation: number): void {
    if (generation !== this.generation) return;
    this.entries.set(key, value);
  }

  clear(): void {
    this.entries.clear();
    this.generation = null;
  }
}
