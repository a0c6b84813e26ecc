// The statement check itself: it passes statements that pin one company and fails those that do not, on SQL as
// Kysely's PostgreSQL dialect writes it; and the recorder writes down what a real PostgreSQL pool is sent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type Compilable } from 'kysely';
import type { Database } from '../../src/storage/schema.js';
import { fileRecorder, readRecorded, recordQueries, shapeOf, SQL_RECORD_ENV, type RecordedStatement } from '../../src/storage/sql-record.js';
import { checkRecorded, checkStatement, describeProblems, loadParser } from '../support/tenant-statements.js';
import { checkRecordedStatements } from '../support/statement-record.js';
import { createTestDatabase, openTestStore } from '../support/engines.js';
import { runCli } from '../cli/cli.js';

const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const recorded = (q: Compilable): RecordedStatement => {
  const c = q.compile();
  return { text: c.sql, shape: shapeOf(c.parameters), values: c.parameters };
};
const raw = (text: string, values: unknown[] = []): RecordedStatement => ({ text, shape: shapeOf(values), values });

beforeAll(async () => {
  await loadParser();
});

describe('the statement check', () => {
  it('passes a statement that pins one company, directly or by a join', () => {
    expect(checkStatement(recorded(db.selectFrom('packages').selectAll().where('company_id', '=', 'c1').where('package_id', '=', 'p1')))).toEqual([]);
    const joined = db
      .selectFrom('redemptions as r')
      .innerJoin('packages as p', (j) => j.onRef('p.company_id', '=', 'r.company_id').onRef('p.package_id', '=', 'r.package_id'))
      .select(['r.redemption_id', 'p.currency'])
      .where('r.company_id', '=', 'c1');
    expect(checkStatement(recorded(joined))).toEqual([]);
    const correlated = db
      .updateTable('packages')
      .set({ units_left: (eb) => eb.selectFrom('package_items as i').select((e) => e.fn.sum<number>('i.remaining').as('n')).whereRef('i.company_id', '=', 'packages.company_id').whereRef('i.package_id', '=', 'packages.package_id') })
      .where('company_id', '=', 'c1');
    expect(checkStatement(recorded(correlated))).toEqual([]);
    const insert = db.insertInto('webhook_attempts').values([
      { company_id: 'c1', message_id: 'm1', attempt: 1, time: 1, response_status: 200, duration_ms: 1, error: '', response_body: '' },
      { company_id: 'c1', message_id: 'm2', attempt: 1, time: 1, response_status: 200, duration_ms: 1, error: '', response_body: '' },
    ]);
    expect(checkStatement(recorded(insert))).toEqual([]);
    const cte = db
      .with('written', (w) => w.insertInto('webhook_messages').values({ company_id: 'c1', message_id: 'm1', endpoint_id: 'e1', type: 't', body: '{}', status: 'PENDING', attempts: 0, round_attempts: 0, last_response_status: 0, created_at: 1 }))
      .updateTable('packages')
      .set({ updated_at: 2 })
      .where('company_id', '=', 'c1')
      .where('package_id', '=', 'p1');
    expect(checkStatement(recorded(cte))).toEqual([]);
  });

  it('passes what is not a tenant statement', () => {
    for (const text of ['BEGIN', 'COMMIT', 'LISTEN punchcard_changed', 'SELECT pg_current_snapshot()::text AS s', 'SELECT 1', 'CREATE INDEX x ON packages (company_id)', 'ANALYZE packages']) {
      expect(checkStatement(raw(text)), text).toEqual([]);
    }
    expect(checkStatement(raw('select pg_notify($1, $2)', ['punchcard_changed', '']))).toEqual([]);
    expect(checkStatement(recorded(db.selectFrom('companies').select('company_id').orderBy('company_id').limit(500)))).toEqual([]);
  });

  it('fails a statement that does not pin a company', () => {
    expect(checkStatement(recorded(db.selectFrom('redemptions').selectAll().where('status', '=', 'PENDING').limit(200)))).toEqual(['redemptions is not constrained to one company_id']);
    // A company_id that is only in an OR, or only on one side of a join, pins nothing.
    const either = db.selectFrom('packages').selectAll().where((eb) => eb.or([eb('company_id', '=', 'c1'), eb('package_id', '=', 'p1')]));
    expect(checkStatement(recorded(either))).toEqual(['packages is not constrained to one company_id']);
    const halfJoined = db
      .selectFrom('redemptions as r')
      .innerJoin('packages as p', (j) => j.onRef('p.package_id', '=', 'r.package_id'))
      .selectAll()
      .where('r.company_id', '=', 'c1');
    expect(checkStatement(recorded(halfJoined))).toEqual(['packages (as p) is not constrained to one company_id']);
    // A list is not one company.
    expect(checkStatement(raw('select * from "packages" where "company_id" = any($1)', [['c1', 'c2']]))).toEqual([
      'packages is not constrained to one company_id',
    ]);
    // A subquery that reads every company.
    const sub = db.selectFrom('packages').selectAll().where('company_id', '=', 'c1').where('package_id', 'in', (eb) => eb.selectFrom('redemptions').select('package_id').where('status', '=', 'PENDING'));
    expect(checkStatement(recorded(sub))).toEqual(['redemptions is not constrained to one company_id']);
  });

  it('fails a statement about two companies', () => {
    const two = db.selectFrom('packages as p').innerJoin('package_items as i', 'i.package_id', 'p.package_id').selectAll().where('p.company_id', '=', 'c1').where('i.company_id', '=', 'c2');
    expect(checkStatement(recorded(two))).toEqual(['it is about 2 companies (company_id takes 2 different values)']);
    const rows = db.insertInto('idempotency_keys').values([
      { company_id: 'c1', idempotency_key: 'k', operation: 'o', request_hash: 'h', response_status: 200, response_body: '', created_at: 1 },
      { company_id: 'c2', idempotency_key: 'k', operation: 'o', request_hash: 'h', response_status: 200, response_body: '', created_at: 1 },
    ]);
    expect(checkStatement(recorded(rows))).toEqual(['it is about 2 companies (company_id takes 2 different values)']);
    // The same text with one company's parameters passes: the check reads the values.
    const one = rows.compile();
    expect(checkStatement({ text: one.sql, shape: shapeOf(one.parameters.map((v) => (v === 'c2' ? 'c1' : v))), values: [] })).toEqual([]);
  });

  it('leaves the migrations out and reports the rest', () => {
    const migration = raw("UPDATE package_events SET breakage_delta_minor = -value_delta_minor WHERE type IN ('EXPIRED', 'EXTENDED')");
    const bad = recorded(db.selectFrom('webhook_messages').select(['status']).groupBy('status'));
    const found = checkRecorded([migration, bad]);
    expect(found.map((f) => f.statement.text)).toEqual([bad.text]);
    expect(describeProblems(found)).toContain('webhook_messages is not constrained to one company_id');
  });
});

describe('the end of the suite', () => {
  it('fails the run (exit code 1) and names the statement when a recorded one breaks the rule', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-sql-'));
    const said = vi.spyOn(console, 'error').mockImplementation(() => {});
    const told = vi.spyOn(console, 'log').mockImplementation(() => {});
    const before = process.exitCode;
    try {
      const recorder = fileRecorder(dir);
      recorder.record('select * from "packages" where "company_id" = $1', ['c1']);
      await checkRecordedStatements({ dir, own: false });
      expect(process.exitCode).toBe(before);
      recorder.record('select "status", count(*) from "webhook_messages" group by "status"', []);
      await checkRecordedStatements({ dir, own: false });
      expect(process.exitCode).toBe(1);
      expect(String(said.mock.calls[0]?.[0])).toContain('webhook_messages is not constrained to one company_id');
    } finally {
      process.exitCode = before;
      said.mockRestore();
      told.mockRestore();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the statement recorder', () => {
  it('writes each distinct statement and the equalities of its parameters once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-sql-'));
    try {
      const sent: unknown[][] = [];
      const client = { query: (...args: unknown[]) => sent.push(args) };
      recordQueries(client, fileRecorder(dir));
      client.query('select $1, $2', ['a', 'a']);
      client.query('select $1, $2', ['b', 'b']);
      client.query('select $1, $2', ['b', 'c']);
      client.query({ name: 'pc_x', text: 'select $1', values: [['x', 'x', null]] });
      expect(sent).toHaveLength(4);
      const got = readRecorded(dir).map((s) => ({ text: s.text, shape: s.shape }));
      expect(got).toEqual([
        { text: 'select $1, $2', shape: [0, 0] },
        { text: 'select $1, $2', shape: [0, 1] },
        { text: 'select $1', shape: [[0, 0, null]] },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(process.env.TEST_DATABASE_URL)('records what a PostgreSQL store sends, on the pool and by name', async () => {
    // This file's own store records into the suite's folder (global-setup.ts); the statements land there.
    const dir = process.env[SQL_RECORD_ENV];
    expect(dir, `${SQL_RECORD_ENV} is set for the PostgreSQL suite`).toBeTruthy();
    const opened = await openTestStore('postgres');
    try {
      const marker = `marker_${Date.now()}`;
      await sql`SELECT ${marker}::text AS m`.execute(opened.db.kysely);
      await opened.store.read.companies.get(marker);
      const texts = readRecorded(dir!).map((s) => s.text);
      expect(texts).toContain('SELECT $1::text AS m');
      expect(texts.some((t) => t.startsWith('select * from "companies" where "company_id" = $1'))).toBe(true);
      expect(texts).toContain('LISTEN punchcard_changed');
    } finally {
      await opened.close();
    }
  });

  it.runIf(process.env.TEST_DATABASE_URL)('records what a process the suite starts sends (the CLI; servers are started the same way)', async () => {
    const dir = process.env[SQL_RECORD_ENV]!;
    const database = await createTestDatabase('postgres');
    try {
      const before = new Set(fs.readdirSync(dir));
      const r = await runCli(database, ['migrate']);
      expect(r.code, r.stderr).toBe(0);
      const theirs = fs.readdirSync(dir).filter((f) => !before.has(f) && !f.startsWith(`${process.pid}-`));
      expect(theirs.length, 'a record file of the CLI process').toBeGreaterThanOrEqual(1);
      const texts = theirs.flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as RecordedStatement).text));
      expect(texts.some((t) => t.includes('schema_migrations'))).toBe(true);
    } finally {
      await database.drop();
    }
  });
});
