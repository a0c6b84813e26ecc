// What a test passes on to a process it starts with an environment of its own (a server, the CLI), so that the
// PostgreSQL suite's statement record (statement-record.ts) holds that process's statements too.
import { SQL_RECORD_ENV } from '../../src/storage/sql-record.js';

export function recordEnv(): Record<string, string> {
  const dir = process.env[SQL_RECORD_ENV];
  return dir ? { [SQL_RECORD_ENV]: dir } : {};
}
