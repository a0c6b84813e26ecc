// package.expiring_soon: once for a package when its expiration date comes within N local days while it still
// has something left, and again if it is extended and comes near once more (once per expiration date).
import type { Principal } from '../domain/access.js';
import { expirationDate } from '../domain/package.js';
import { subscribes } from '../domain/webhooks.js';
import type { Deps } from './context.js';
import { findPackages } from './package-queries.js';
import { parsePageRequest } from './paging.js';

/** The sweeper acts for the platform, as the master key would. */
const SYSTEM: Principal = { kind: 'master' };
const PAGE = 200;

/** Writes package.expiring_soon messages for one company's packages that are newly near; how many packages. */
async function sweepCompany(deps: Deps, companyId: string, days: number, now: number): Promise<number> {
  const outbox = deps.outbox!;
  const endpoints = await deps.store.read.webhookEndpoints.listEnabled(companyId);
  if (!endpoints.some((e) => subscribes(e, 'package.expiring_soon'))) return 0;
  let told = 0;
  for (let token = ''; ; ) {
    const page = await findPackages(deps, SYSTEM, companyId, { expiringWithinDays: days }, 'expiring', parsePageRequest(PAGE, token), now);
    told += await deps.store.transaction(async (repos) => {
      const known = new Set((await repos.expiringNotices.known(companyId, page.items.map((v) => v.pkg.id))).map((k) => `${k.packageId}/${k.expirationDate}`));
      let n = 0;
      for (const view of page.items) {
        const date = expirationDate(view.pkg);
        if (!known.has(`${view.pkg.id}/${date}`) && (await outbox.expiringSoon(repos, view, date, now))) n++;
      }
      return n;
    });
    if (page.nextPageToken === '') return told;
    token = page.nextPageToken;
  }
}

/** Every company with an endpoint that listens (or one company); returns how many packages were told of. */
export async function sweepExpiringSoon(deps: Deps, days: number, onlyCompany?: string): Promise<number> {
  if (!deps.outbox) return 0;
  const now = deps.clock.now();
  if (onlyCompany !== undefined) return sweepCompany(deps, onlyCompany, days, now);
  let told = 0;
  for (let after: string | null = null; ; ) {
    const companies = await deps.store.read.companies.listIds(after, 500);
    for (const companyId of companies) told += await sweepCompany(deps, companyId, days, now);
    if (companies.length < 500) return told;
    after = companies[companies.length - 1]!;
  }
}
