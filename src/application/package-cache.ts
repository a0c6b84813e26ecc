// Packages as last read, by version. Every change to a package (its state, its items, its holds) happens in a
// transaction that moves its ledger sequence number, so (id, sequence number) names one exact content: a
// reader that learns the current number from the database may use a copy of that version from any earlier
// read, whichever process wrote it. Lists then read two columns per package instead of its rows.
import { LRUCache } from 'lru-cache';
import type { Redemption } from '../domain/ledger.js';
import type { CustomerPackage } from '../domain/package.js';

export interface CachedPackage {
  readonly pkg: CustomerPackage;
  /** Its pending holds at that version. */
  readonly holds: readonly Redemption[];
}

/**
 * At most this many packages are kept (about 6 kB each in the heap: 20,000 took 96 MB more after a million-
 * package run than 5,000), the least recently used going first: enough for the
 * packages being read and changed now; the polled lists are served from the answer cache, not from here.
 */
export class PackageCache {
  private readonly entries: LRUCache<string, CachedPackage>;

  constructor(limit = 5_000) {
    this.entries = new LRUCache({ max: limit });
  }

  get(companyId: string, packageId: string, eventSeq: number): CachedPackage | undefined {
    const hit = this.entries.get(`${companyId}/${packageId}`);
    return hit && hit.pkg.eventSeq === eventSeq ? hit : undefined;
  }

  set(entry: CachedPackage): void {
    this.entries.set(`${entry.pkg.companyId}/${entry.pkg.id}`, entry);
  }
}
