// punchcard verify [--company ID]: recomputes every balance from the ledger; exits 1 on any drift.
import type { Command } from 'commander';
import type { Deps } from '../application/context.js';
import type { Store } from '../application/ports.js';
import { verifyLedger, type VerifyReport } from '../application/verify.js';
import { CliError, counted, progress, withDeps } from './common.js';

/** How many packages verifyLedger will visit: the company's, or every company's. */
async function packagesToVisit(store: Store, companyId: string | undefined, asOf: number): Promise<number> {
  if (companyId !== undefined) return store.read.packages.count(companyId, { asOf });
  let total = 0;
  for (let after: string | null = null; ; ) {
    const ids = await store.read.companies.listIds(after, 500);
    for (const id of ids) total += await store.read.packages.count(id, { asOf });
    if (ids.length < 500) return total;
    after = ids[ids.length - 1]!;
  }
}

/** Checks every package (of one company) against its history, printing each drift and a summary. */
export async function verify(deps: Deps, companyId?: string): Promise<VerifyReport> {
  const bar = progress('verifying');
  let total = 0;
  if (process.stderr.isTTY) total = await packagesToVisit(deps.store, companyId, deps.clock.now());
  let report: VerifyReport;
  try {
    report = await verifyLedger(deps, companyId, (done) => bar.update(done, total));
  } finally {
    bar.stop();
  }
  for (const d of report.drifts) console.log(`DRIFT ${d.companyId}/${d.packageId} ${d.what}: stored ${d.stored}, ledger ${d.fromLedger}`);
  console.log(`verified ${counted(report.packages, 'package')} and ${counted(report.events, 'event')}: ${counted(report.drifts.length, 'drift')}`);
  return report;
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('recompute every balance from the history and report where a stored one disagrees (exit 1 on any drift)')
    .option('--company <id>', 'only this company')
    .addHelpText('after', '\nExample:\n  punchcard verify --company cmp_demo')
    .action(async (options: { company?: string }) => {
      const report = await withDeps((deps) => verify(deps, options.company));
      if (report.drifts.length) throw new CliError(`${counted(report.drifts.length, 'drift')} between the stored balances and the history`);
    });
}
