// A record of the SQL this process sends to PostgreSQL, for the check that every statement pins one company
// (test/support/tenant-statements.ts). Off unless PUNCHCARD_SQL_RECORD names a folder: then every query path
// (the pool, named statements, the LISTEN connection) goes through record(), and each distinct statement is
// appended to a file of this process's own in that folder, so server processes a test starts are recorded too.
// When it is off nothing is wrapped at all: production pays nothing.
//
// It is read here rather than in config.ts because it is an instrument of the test suite, not a setting: it must
// reach every process that opens the database (servers, the CLI, a test's own store) without each passing it on.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const SQL_RECORD_ENV = 'PUNCHCARD_SQL_RECORD';

/**
 * One recorded statement. `shape` says which parameters are equal, which is all the check needs of them: each
 * parameter becomes the index of its value among the statement's distinct values (an array, one index per
 * element; null stays null). `values` are the first parameters seen with that shape, for the report.
 */
export interface RecordedStatement {
  readonly text: string;
  readonly shape: readonly (number | null | readonly (number | null)[])[];
  readonly values: readonly unknown[];
}

export interface StatementRecorder {
  record(text: string, values: readonly unknown[] | undefined): void;
}

const keyOf = (value: unknown): string =>
  value instanceof Date ? `d${value.toISOString()}` : Buffer.isBuffer(value) ? `b${value.toString('hex')}` : typeof value === 'bigint' ? `n${value}` : `j${JSON.stringify(value)}`;

/** Which parameters are equal: the shape of RecordedStatement. */
export function shapeOf(values: readonly unknown[]): RecordedStatement['shape'] {
  const classes = new Map<string, number>();
  const classOf = (v: unknown): number | null => {
    if (v === null || v === undefined) return null;
    const key = keyOf(v);
    let n = classes.get(key);
    if (n === undefined) classes.set(key, (n = classes.size));
    return n;
  };
  return values.map((v) => (Array.isArray(v) ? v.map(classOf) : classOf(v)));
}

const forReport = (v: unknown): unknown => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…` : Array.isArray(v) ? v.slice(0, 20).map(forReport) : typeof v === 'bigint' ? String(v) : v);

let fromEnv: { readonly dir: string; readonly recorder: StatementRecorder } | undefined;

/** The recorder PUNCHCARD_SQL_RECORD asks for (one per process, whatever it opens), or null when it is not set. */
export function sqlRecorderFromEnv(): StatementRecorder | null {
  const dir = process.env[SQL_RECORD_ENV];
  if (!dir) return null;
  if (fromEnv?.dir !== dir) fromEnv = { dir, recorder: fileRecorder(dir) };
  return fromEnv.recorder;
}

/** Appends each distinct (text, shape) to a file of its own in `dir`, at once (a process may be killed). */
export function fileRecorder(dir: string): StatementRecorder {
  const file = path.join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.jsonl`);
  const seen = new Set<string>();
  let made = false;
  return {
    record(text, values = []) {
      const shape = shapeOf(values);
      const key = `${text}\u0000${JSON.stringify(shape)}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (!made) {
        fs.mkdirSync(dir, { recursive: true });
        made = true;
      }
      const line: RecordedStatement = { text, shape, values: values.map(forReport) };
      fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
    },
  };
}

/** Reads every statement recorded in `dir` (by any process), each distinct one once. */
export function readRecorded(dir: string): RecordedStatement[] {
  if (!fs.existsSync(dir)) return [];
  const out = new Map<string, RecordedStatement>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      // A process killed mid-write leaves at most its last line cut short.
      if (line.trim() === '') continue;
      let s: RecordedStatement;
      try {
        s = JSON.parse(line) as RecordedStatement;
      } catch {
        continue;
      }
      out.set(`${s.text}\u0000${JSON.stringify(s.shape)}`, s);
    }
  }
  return [...out.values()];
}

interface Queryer {
  query: (...args: never[]) => unknown;
}

/**
 * Wraps a pg client's query so that every statement is recorded before it is sent, in each of pg's call forms:
 * (text, values?, callback?) and (config {text, values, name?} or a submittable such as a cursor, values?, callback?).
 */
export function recordQueries(client: Queryer, recorder: StatementRecorder): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const [first, second] = args;
    if (typeof first === 'string') recorder.record(first, Array.isArray(second) ? second : undefined);
    else if (typeof first === 'object' && first !== null && typeof (first as { text?: unknown }).text === 'string') {
      const config = first as { text: string; values?: unknown[] };
      recorder.record(config.text, config.values ?? (Array.isArray(second) ? second : undefined));
    }
    return query(...args);
  }) as Queryer['query'];
}
