// Time moves packages on by itself: holds lapse and give their units back, packages pass their grace end and
// their unused value becomes breakage. Each process sweeps every few seconds; the writes are guarded, so
// several processes sweeping at once record each change once.
import type { CustomerPackage } from '../domain/package.js';
import { expirationDate, isFrozenAt, graceEndTime } from '../domain/package.js';
import type { Deps } from './context.js';
import { PackageTx, SYSTEM_ACTOR } from './package-tx.js';

/** Releases pending holds whose expiry has passed; returns how many packages it touched. */
export async function sweepLapsedHolds(deps: Deps, limit = 200): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.store.read.redemptions.listDueHolds(now, limit);
  const packages = new Map(due.map((h) => [`${h.companyId}\u0000${h.packageId}`, h]));
  for (const hold of packages.values()) {
    await deps.store.transaction(async (repos) => {
      const tx = await PackageTx.open(repos, hold.companyId, hold.packageId, now, SYSTEM_ACTOR);
      await tx.finish();
    });
  }
  return packages.size;
}

/** Records EXPIRED for packages whose grace has ended, as of that moment, company by company (or for one); returns how many. */
export async function sweepExpiredPackages(deps: Deps, onlyCompany?: string, limit = 200): Promise<number> {
  const now = deps.clock.now();
  let expired = 0;
  const sweepCompany = async (companyId: string) => {
    // Packages still in their grace days stay in the scan; page past them.
    for (let offset = 0; ; ) {
      const candidates = await deps.store.read.packages.listPastEnd(companyId, now, limit, offset);
      const before = expired;
      await expireAll(deps, candidates, now, () => expired++);
      if (candidates.length < limit) return;
      offset += candidates.length - (expired - before);
    }
  };
  if (onlyCompany !== undefined) {
    await sweepCompany(onlyCompany);
    return expired;
  }
  for (let after: string | null = null; ; ) {
    const companies = await deps.store.read.companies.listIds(after, 500);
    for (const companyId of companies) await sweepCompany(companyId);
    if (companies.length < 500) return expired;
    after = companies[companies.length - 1]!;
  }
}

async function expireAll(deps: Deps, candidates: readonly CustomerPackage[], now: number, onExpired: () => void): Promise<void> {
  for (const candidate of candidates) {
    const graceEnd = graceEndTime(candidate);
    if (graceEnd === null || graceEnd > now || isFrozenAt(candidate, now)) continue;
    await deps.store.transaction(async (repos) => {
      const tx = await PackageTx.open(repos, candidate.companyId, candidate.id, now, SYSTEM_ACTOR);
      const pkg = tx.pkg;
      const end = graceEndTime(pkg);
      if (pkg.expiredTime !== null || pkg.cancelTime !== null || end === null || end > now || isFrozenAt(pkg, now)) {
        await tx.finish();
        return;
      }
      const delta = tx.change({ ...pkg, expiredTime: end });
      await tx.append('EXPIRED', delta, { time: end, data: { expirationDate: expirationDate(pkg), gracePeriodDays: pkg.gracePeriodDays } });
      await tx.finish({ expiredTime: end });
      onExpired();
    });
  }
}

export interface Sweeper {
  stop(): Promise<void>;
}

/** Sweeps on an interval until stopped; errors are logged and the next round tries again. */
export function startSweeper(deps: Deps, intervalMs: number, onError: (error: unknown) => void): Sweeper {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const round = async () => {
    try {
      while (!stopped && (await sweepLapsedHolds(deps)) > 0);
      if (!stopped) await sweepExpiredPackages(deps);
    } catch (error) {
      onError(error);
    }
  };
  const timer = setInterval(() => {
    running = running.then(round);
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
