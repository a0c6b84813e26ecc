// npm run verify [-- --company ID]: recomputes every balance from the ledger; exits 1 on any drift.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openStore } from '../bootstrap.js';
import { systemClock } from '../domain/clock.js';
import { verifyLedger } from '../application/verify.js';

const { values } = parseArgs({ options: { company: { type: 'string' } } });
const { store } = await openStore(loadConfig());
try {
  const report = await verifyLedger({ store, clock: systemClock, masterKey: null }, values.company);
  for (const d of report.drifts) console.log(`DRIFT ${d.companyId}/${d.packageId} ${d.what}: stored ${d.stored}, ledger ${d.fromLedger}`);
  console.log(`verified ${report.packages} packages and ${report.events} events: ${report.drifts.length} drifts`);
  process.exitCode = report.drifts.length ? 1 : 0;
} finally {
  await store.close();
}
