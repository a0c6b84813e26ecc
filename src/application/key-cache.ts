// Known API keys of this process, so that a request does not look its key up in the database every time.
// An entry is good only while the store's key generation stays what it was when the entry was made: any
// revocation anywhere moves it and empties the cache, so a revoked key is refused on its next request.
import type { Principal } from '../domain/access.js';

export class KeyCache {
  private readonly entries = new Map<string, Principal>();
  private generation: number | null = null;

  constructor(private readonly limit = 10_000) {}

  get(hash: string, current: number | null): Principal | undefined {
    if (current === null || current !== this.generation) {
      this.entries.clear();
      this.generation = current;
      return undefined;
    }
    return this.entries.get(hash);
  }

  set(hash: string, principal: Principal, generation: number): void {
    if (generation !== this.generation) return;
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(hash, principal);
  }

  clear(): void {
    this.entries.clear();
    this.generation = null;
  }
}
