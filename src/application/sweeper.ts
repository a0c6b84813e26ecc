// Time moves packages on by itself: holds lapse and give their units back, packages pass their grace end and
// their unused value becomes breakage. Each process sweeps every few seconds; the writes are guarded, so
// several processes sweeping at once record each change once.
import { hasLapsed } from '../domain/package.js';
import { catchUp } from '../domain/time-passes.js';
import type { Deps } from './context.js';
import { PackageTx, SYSTEM_ACTOR } from './package-tx.js';
import { sweepExpiringSoon } from './expiring-soon.js';

/** Writes down what time has decided for one package by now (domain catchUp); whether it wrote anything. */
async function recordTime(deps: Deps, companyId: string, packageId: string, now: number): Promise<boolean> {
  return deps.store.transaction(async (repos) => {
    const tx = await PackageTx.open(repos, companyId, packageId, now, SYSTEM_ACTOR, deps.outbox);
    const decision = catchUp(tx.state, now);
    await tx.apply(decision);
    return decision.events.length > 0;
  });
}

/** Visits every company in id order, a page of ids at a time (each statement is about one company). */
async function eachCompany(deps: Deps, visit: (companyId: string) => Promise<void>): Promise<void> {
  for (let after: string | null = null; ; ) {
    const companies = await deps.store.read.companies.listIds(after, 500);
    for (const companyId of companies) await visit(companyId);
    if (companies.length < 500) return;
    after = companies[companies.length - 1]!;
  }
}

/** Releases pending holds whose expiry has passed, company by company (or for one); returns how many packages it touched. */
export async function sweepLapsedHolds(deps: Deps, limit = 200, onlyCompany?: string): Promise<number> {
  const now = deps.clock.now();
  let touched = 0;
  const sweepCompany = async (companyId: string) => {
    for (;;) {
      const due = await deps.store.read.redemptions.listDueHolds(companyId, now, limit);
      const packages = new Set(due.map((h) => h.packageId));
      let wrote = false;
      for (const packageId of packages) if (await recordTime(deps, companyId, packageId, now)) wrote = true;
      touched += packages.size;
      // A full batch may have more behind it; one that changed nothing would come back the same.
      if (due.length < limit || !wrote) return;
    }
  };
  if (onlyCompany !== undefined) await sweepCompany(onlyCompany);
  else await eachCompany(deps, sweepCompany);
  return touched;
}

/** Records EXPIRED for packages whose grace has ended, company by company (or for one); returns how many. */
export async function sweepExpiredPackages(deps: Deps, onlyCompany?: string, limit = 200): Promise<number> {
  const now = deps.clock.now();
  let expired = 0;
  const sweepCompany = async (companyId: string) => {
    // Packages whose clock a freeze holds stay in the scan; page past them.
    for (let offset = 0; ; ) {
      const candidates = await deps.store.read.packages.listPastEnd(companyId, now, limit, offset);
      let done = 0;
      for (const candidate of candidates) {
        if (!hasLapsed(candidate, now)) continue;
        if (await recordTime(deps, candidate.companyId, candidate.id, now)) done++;
      }
      expired += done;
      if (candidates.length < limit) return;
      offset += candidates.length - done;
    }
  };
  if (onlyCompany !== undefined) await sweepCompany(onlyCompany);
  else await eachCompany(deps, sweepCompany);
  return expired;
}

export interface Sweeper {
  stop(): Promise<void>;
}

export interface SweeperOptions {
  /** package.expiring_soon's window in local days (with an outbox); null sends none. */
  readonly expiringSoonDays: number | null;
  /** How often to look for packages newly near their expiration (a day's granularity needs no more). */
  readonly expiringSoonEveryMs?: number;
}

/** Sweeps on an interval until stopped; errors are logged and the next round tries again. */
export function startSweeper(deps: Deps, intervalMs: number, onError: (error: unknown) => void, options: SweeperOptions = { expiringSoonDays: null }): Sweeper {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let expiringSoonAt = -Infinity;
  const round = async () => {
    try {
      if (!stopped) await sweepLapsedHolds(deps);
      if (!stopped) await sweepExpiredPackages(deps);
      const every = options.expiringSoonEveryMs ?? 60_000;
      if (!stopped && options.expiringSoonDays !== null && deps.clock.now() - expiringSoonAt >= every) {
        expiringSoonAt = deps.clock.now();
        await sweepExpiringSoon(deps, options.expiringSoonDays);
      }
    } catch (error) {
      onError(error);
    }
  };
  // A round visits every company, so with many it can outlast the interval: then the next tick is skipped
  // rather than queued behind it (queued ticks would pile up without end).
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = running.then(round).finally(() => (busy = false));
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
