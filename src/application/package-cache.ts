// Packages as last read, by version. Every change to a package (its state, its items, its holds) happens in a
// transaction that moves its ledger sequence number, so (id, sequence number) names one exact content: a
// reader that learns the current number from the database may use a copy of that version from any earlier
// read, whichever process wrote it. Lists then read two columns per package instead of its rows.
import type { Redemption } from '../domain/ledger.js';
import type { CustomerPackage } from '../domain/package.js';

export interface CachedPackage {
  readonly pkg: CustomerPackage;
  /** Its pending holds at that version. */
  readonly holds: readonly Redemption[];
}

export class PackageCache {
  private readonly entries = new Map<string, CachedPackage>();

  constructor(private readonly limit = 20_000) {}

  get(companyId: string, packageId: string, eventSeq: number): CachedPackage | undefined {
    const hit = this.entries.get(`${companyId}/${packageId}`);
    return hit && hit.pkg.eventSeq === eventSeq ? hit : undefined;
  }

  set(entry: CachedPackage): void {
    const key = `${entry.pkg.companyId}/${entry.pkg.id}`;
    this.entries.delete(key);
    // Oldest first in a Map: drop the least recently stored when full.
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, entry);
  }
}
