// Builds the server once per test run, for the tests that start real server processes. On PostgreSQL it also
// records every statement the suite sends (its own stores and the servers it starts, which inherit the
// environment) and, at the end, fails the run if one touches a tenant table without pinning one company.
import { execFileSync } from 'node:child_process';
import { checkRecordedStatements, startStatementRecord } from './statement-record.js';

export default function setup(): (() => Promise<void>) | void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (!process.env.TEST_DATABASE_URL) return;
  const record = startStatementRecord();
  return () => checkRecordedStatements(record);
}
