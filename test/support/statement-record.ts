// The PostgreSQL suite's statement record: a folder named by PUNCHCARD_SQL_RECORD, set before any test process
// starts so that every store and server opened by the run records into it, and checked when the run ends.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRecorded, SQL_RECORD_ENV } from '../../src/storage/sql-record.js';
import { checkRecorded, describeProblems, loadParser } from './tenant-statements.js';

/** The folder (PUNCHCARD_SQL_RECORD if set, else a new one, removed after a clean check). */
export function startStatementRecord(): { readonly dir: string; readonly own: boolean } {
  const given = process.env[SQL_RECORD_ENV];
  const dir = given ?? fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-sql-record-'));
  process.env[SQL_RECORD_ENV] = dir;
  return { dir, own: given === undefined };
}

/**
 * Checks what was recorded. A throwing global teardown does not fail a vitest run (it is logged and the run
 * exits 0), so a breach sets the exit code instead, after saying which statements and why.
 */
export async function checkRecordedStatements({ dir, own }: { readonly dir: string; readonly own: boolean }): Promise<void> {
  await loadParser();
  const statements = readRecorded(dir);
  const found = checkRecorded(statements);
  if (found.length > 0) {
    console.error(`\n${found.length} of ${statements.length} recorded SQL statements are not about one company (the Citus rule, docs/citus.md):\n${describeProblems(found)}\n(the record: ${dir})`);
    process.exitCode = 1;
    return;
  }
  console.log(`\nSQL statements: ${statements.length} distinct ones recorded on PostgreSQL, each about one company or none.`);
  if (own) fs.rmSync(dir, { recursive: true, force: true });
}
