// What this process has read of keys and reference data, so that a request need not read it again. An entry is
// good only while the store's change generation stays what it was when the entry was read: any revocation or
// reference-data change, here or in another process, moves it and empties the cache, so nothing stale is used.
// The protocol: read the generation, read the data, and store it only if the generation has not moved since.

export class GenerationCache<V> {
  private readonly entries = new Map<string, V>();
  private generation: number | null = null;

  constructor(private readonly limit = 10_000) {}

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
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, value);
  }

  clear(): void {
    this.entries.clear();
    this.generation = null;
  }
}
