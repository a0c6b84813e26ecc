// Opens the one query layer (Kysely) over either engine and owns their quirks: SQLite pragmas and
// BEGIN IMMEDIATE, pg's BIGINT-as-string, and which driver errors mean "retry" or "duplicate".
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import crypto from 'node:crypto';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import { QueryShapes } from './query-shapes.js';
import { freshReads, turnReads } from './fresh-reads.js';
import { recordQueries, sqlRecorderFromEnv, type StatementRecorder } from './sql-record.js';
import type { BatchWork, Settled } from './group-commit.js';
import { runBatch, type BatchSteps } from './batch-runner.js';
import type { Database } from './schema.js';

export type Engine = 'sqlite' | 'postgres';
export type Queryable = Kysely<Database>;

export interface Db {
  readonly engine: Engine;
  readonly kysely: Queryable;
  /** The hot queries' SQL, built once per shape (query-shapes.ts). */
  readonly shapes: QueryShapes;
  /** How a list of values is bound: one parameter each (SQLite), or one array (PostgreSQL). */
  readonly lists: 'values' | 'arrays';
  /** Runs fn in one transaction. On SQLite it is BEGIN IMMEDIATE, so writers queue on busy_timeout instead of failing on upgrade. */
  transaction<T>(fn: (trx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs works one after another in one transaction: a work that throws leaves none of its writes behind
   * (batch-runner.ts). Resolves with every work's outcome once the commit has returned; rejects when the
   * transaction itself failed (begin, commit, or a failure that undid it whole), which fails every work.
   */
  batch(works: readonly BatchWork<Queryable>[]): Promise<Settled[]>;
  /** Batches in flight at once (group-commit.ts): one on SQLite, which has one writer; several on PostgreSQL. */
  readonly writers: number;
  ping(): Promise<void>;
  /**
   * A number that changes whenever keys or reference data may have changed, here or in another process, or
   * null when that cannot be known right now (then nothing may be cached). SQLite: the file's data_version,
   * which moves with every other connection's commit. PostgreSQL: a count of change notices on a LISTEN
   * connection. Both plus this process's own changes (noteChange).
   */
  changeGeneration(): number | null;
  /**
   * changeGeneration as of a moment after the call: it counts every change committed before the call, in any
   * process. SQLite: changeGeneration itself (its data_version is at most 100 µs old). PostgreSQL: after a
   * round trip on the LISTEN connection begun after the call, since the server sends a session the notices
   * committed before its query before it answers the query (shared with writeGeneration's readings).
   */
  heardChanges(): number | null | Promise<number | null>;
  /** Records a change made through this process to keys or reference data, for changeGeneration. */
  noteChange(): void;
  /**
   * Names the database's content exactly: it changes with every write committed by any connection, this one
   * included, and is read after the call began. SQLite: the file's data_version and this process's commits,
   * read once per turn of the event loop. PostgreSQL: the server's snapshot (the transactions completed and in
   * progress), read by one query that serves every call made while the one before it was under way. Null
   * when it cannot be known.
   */
  writeGeneration(): Promise<string | null>;
  /** How the connections are used right now, for /metrics. */
  poolUse(): PoolUse;
  /**
   * Calls fn with the company of each notice on WEBHOOK_CHANNEL (PostgreSQL: webhook messages another process
   * wrote, heard after its commit); SQLite has no notices. Returns the way to stop.
   */
  onWebhookNotice(fn: (companyId: string) => void): () => void;
  close(): Promise<void>;
}

/** Connections: how many there may be, how many are open and busy, and how many callers wait for one. */
export interface PoolUse {
  readonly max: number;
  readonly open: number;
  readonly busy: number;
  readonly waiting: number;
}

/**
 * The channel revocations and reference-data changes are announced on (PostgreSQL), so every process drops its
 * caches. A notice names the schema the change was made in (CHANGE_NOTICE_PAYLOAD): channels are the database's,
 * not a schema's, and a process drops nothing for a change to another schema's data (a test's, another
 * deployment's). A notice naming none, as an older build sends, counts for every schema.
 */
export const CHANGED_CHANNEL = 'punchcard_changed';

/** What a change notice carries, as SQL: the schema the change's transaction writes to. */
export const CHANGE_NOTICE_PAYLOAD = "coalesce(current_schema(), '')";

/** The channel a process that delivers no webhooks itself (the CLI) names a company on when it wrote messages for it. */
export const WEBHOOK_CHANNEL = 'punchcard_webhooks';

/** A process's own changes, counted; combined with what other processes did into one generation number. */
function localChanges() {
  let count = 0;
  return { note: () => void (count = (count + 1) % 1_000_000_000), combine: (other: number) => other * 1_000_000_000 + count };
}

export interface OpenOptions {
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  /** PostgreSQL pool size per process. */
  readonly poolSize?: number;
  /**
   * PostgreSQL: where the LISTEN connection goes (it also reads the snapshot), when not to databaseUrl: straight
   * to the server when the pool goes through PgBouncer, since LISTEN belongs to a session.
   */
  readonly listenUrl?: string | null;
}

// pg returns int8 and numeric as strings; every value we keep fits a double exactly (epoch ms, minor units).
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'punchcard.db');
}

export async function openDatabase(options: OpenOptions): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.poolSize ?? 10, options.listenUrl ?? options.databaseUrl) : openSqlite(options.dataDir);
}

function openSqlite(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = sqliteFile(dataDir);
  const native = new SQLite(file);
  // First: switching to WAL takes a lock, and a process starting beside another must wait for it, not fail.
  native.pragma('busy_timeout = 5000');
  native.pragma('journal_mode = WAL');
  native.pragma('synchronous = FULL');
  native.pragma('foreign_keys = ON');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(native) }) });
  const dataVersion = native.prepare('PRAGMA data_version').pluck();
  const control = {
    begin: native.prepare('BEGIN IMMEDIATE'),
    savepoint: native.prepare('SAVEPOINT command'),
    release: native.prepare('RELEASE command'),
    rollbackTo: native.prepare('ROLLBACK TO command'),
    commit: native.prepare('COMMIT'),
    rollback: native.prepare('ROLLBACK'),
    totalChanges: native.prepare('SELECT total_changes()').pluck(),
  };
  // data_version moves with every other connection's commit; this connection's own are counted as they end.
  let commits = 0;
  // Transactions asked for and not yet ended: one holds the connection, the others wait for it.
  let transactions = 0;
  let lastDataVersion = 0;
  let dataVersionReadAt = -Infinity;
  const changes = localChanges();
  const changeGeneration = (): number | null => {
    if (!native.open) return null;
    // Asked twice a request (key, reference data): reading it costs more than a request's lookups, so a
    // reading serves for 100 µs; another process's commit is seen that much later at most.
    const now = performance.now();
    if (now - dataVersionReadAt > 0.1) {
      lastDataVersion = dataVersion.get() as number;
      dataVersionReadAt = now;
    }
    return changes.combine(lastDataVersion);
  };
  return {
    engine: 'sqlite',
    kysely,
    shapes: new QueryShapes(),
    lists: 'values',
    changeGeneration,
    noteChange: changes.note,
    heardChanges: changeGeneration,
    // Read once per turn of the event loop for every request of that turn: a read costs 2 µs, 7% of a request.
    writeGeneration: turnReads(() => (native.open ? `${dataVersion.get() as number}.${commits}` : null)),
    // Kysely's SQLite driver has one connection behind a mutex: holding it for the whole function keeps
    // other requests of this process out, and BEGIN IMMEDIATE keeps other processes out. Every write of this
    // process runs here (Store.read has none), and the commit is counted before the connection is let go, so
    // a read that saw the old count cannot read the database before the commit.
    transaction: (fn) => {
      transactions++;
      return kysely
        .connection()
        .execute(async (conn) => {
          await sql`BEGIN IMMEDIATE`.execute(conn);
          try {
            const result = await fn(conn);
            await sql`COMMIT`.execute(conn);
            return result;
          } catch (error) {
            if (native.inTransaction) await sql`ROLLBACK`.execute(conn);
            throw error;
          } finally {
            commits++;
          }
        })
        .finally(() => void transactions--);
    },
    writers: 1,
    // The same connection and lock as transaction(); the control statements go straight to the driver, prepared
    // once, since they run for every command of every batch.
    batch: (works) => {
      transactions++;
      return kysely
        .connection()
        .execute((conn) => runBatch(sqliteSteps(conn, native, control), works).finally(() => void commits++))
        .finally(() => void transactions--);
    },
    // One connection: busy while a transaction holds it (a read holds it for microseconds, unseen here).
    onWebhookNotice: () => () => {},
    poolUse: () => ({ max: 1, open: native.open ? 1 : 0, busy: Math.min(transactions, 1), waiting: Math.max(0, transactions - 1) }),
    ping: async () => {
      await sql`SELECT 1`.execute(kysely);
    },
    close: () => kysely.destroy(),
  };
}

/**
 * Kysely prepares every query anew, and compiling SQL costs more than running a small query on SQLite. Our
 * queries are a small fixed set of texts, so keep their prepared statements (better-sqlite3 statements are
 * reusable, and every call on them is synchronous, so one is never used twice at once).
 */
function withStatementCache(native: SQLite.Database, limit = 1000): SQLite.Database {
  const cache = new LRUCache<string, SQLite.Statement>({ max: limit });
  const prepare = native.prepare.bind(native);
  return new Proxy(native, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (source: string) => {
        let stmt = cache.get(source);
        if (!stmt) {
          stmt = prepare(source);
          cache.set(source, stmt);
        }
        return stmt;
      };
    },
  });
}

function openPostgres(url: string, poolSize: number, listenUrl: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  // An idle client that loses its server must not take the process down.
  pool.on('error', () => {});
  // First, so that named statements are recorded as the text they stand for.
  const recorder = sqlRecorderFromEnv();
  if (recorder) pool.on('connect', (client) => recordQueries(client, recorder));
  const named = namedStatements(pool);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // The schema this process's tables are in, as the pool's connections see it (the LISTEN connection may go
  // elsewhere, past PgBouncer): the change notices that count are those naming it, or none.
  const ownSchema = async () => (await pool.query<{ schema: string }>(`SELECT ${CHANGE_NOTICE_PAYLOAD} AS schema`)).rows[0]?.schema ?? '';
  const listener = listenForChanges(listenUrl, recorder, ownSchema);
  const changes = localChanges();
  const changeGeneration = (): number | null => {
    const heard = listener.generation();
    return heard === null ? null : changes.combine(heard);
  };
  const writeGeneration = freshReads(listener.snapshot);
  return {
    engine: 'postgres',
    kysely,
    shapes: new QueryShapes(500, named.add),
    lists: 'arrays',
    transaction: (fn) => kysely.transaction().execute(fn),
    // Every batch on a connection of its own; half the pool, so that reads always find a connection.
    writers: Math.max(1, Math.floor(poolSize / 2)),
    batch: (works) => kysely.connection().execute((conn) => runBatch(postgresSteps(conn), works)),
    ping: async () => {
      await sql`SELECT 1`.execute(kysely);
    },
    changeGeneration,
    noteChange: changes.note,
    heardChanges: () => writeGeneration().then(changeGeneration),
    writeGeneration,
    onWebhookNotice: listener.onWebhookNotice,
    poolUse: () => ({ max: poolSize, open: pool.totalCount, busy: pool.totalCount - pool.idleCount, waiting: pool.waitingCount }),
    close: async () => {
      await listener.close();
      await kysely.destroy();
    },
  };
}

type SqliteControl = Record<'begin' | 'savepoint' | 'release' | 'rollbackTo' | 'commit' | 'rollback', SQLite.Statement> & {
  totalChanges: SQLite.Statement;
};

/** A batch on the one SQLite connection: its control statements prepared, run synchronously. */
function sqliteSteps(conn: Queryable, native: SQLite.Database, control: SqliteControl): BatchSteps<Queryable> {
  return {
    conn,
    begin: () => void control.begin.run(),
    beginWithSavepoint: () => {
      control.begin.run();
      control.savepoint.run();
    },
    nextSavepoint: () => {
      control.release.run();
      control.savepoint.run();
    },
    rollbackToSavepoint: (error) => {
      // SQLite ends the whole transaction on some errors (a full disk): then nothing of the batch stands.
      if (!native.inTransaction) throw error;
      control.rollbackTo.run();
    },
    commit: () => void control.commit.run(),
    rollback: () => {
      if (native.inTransaction) control.rollback.run();
    },
    // A failed statement takes back only its own changes on SQLite; rows changed before it by the same work
    // show in total_changes() even if the work did not say it wrote.
    mark: () => control.totalChanges.get() as number,
    intact: (error, scope, mark) => {
      if (!native.inTransaction) throw error;
      return !scope.wrote && control.totalChanges.get() === mark;
    },
  };
}

/**
 * A batch on one PostgreSQL connection: each control step is one round trip (a simple-protocol text may hold
 * several statements). Without savepoints a batch of n commands costs two round trips besides their own (the
 * begin and the commit); with them, n + 1.
 */
function postgresSteps(conn: Queryable): BatchSteps<Queryable> {
  const control = async (text: string) => void (await sql.raw(text).execute(conn));
  return {
    conn,
    begin: () => control('BEGIN'),
    beginWithSavepoint: () => control('BEGIN; SAVEPOINT command'),
    nextSavepoint: () => control('RELEASE SAVEPOINT command; SAVEPOINT command'),
    rollbackToSavepoint: () => control('ROLLBACK TO SAVEPOINT command'),
    // COMMIT in a transaction a failed statement had ended rolls back without an error: the SELECT before it
    // fails there instead, so a batch is never answered as committed when it was not.
    commit: () => control('SELECT 1; COMMIT'),
    rollback: () => control('ROLLBACK'),
    mark: () => 0,
    async intact(error, scope) {
      // Any failed statement ends the transaction until a rollback.
      if (scope.wrote || error instanceof pg.DatabaseError) return false;
      // Refused in our own code, having written nothing; unless it had caught a failed statement and gone on.
      try {
        await control('SELECT 1');
        return true;
      } catch (probe) {
        if (probe instanceof pg.DatabaseError && probe.code === '25P02') return false;
        throw probe;
      }
    },
  };
}

/** At most this many SQL texts get a name: each is prepared once on every connection of the pool. */
const MAX_NAMED_STATEMENTS = 1000;

/**
 * PostgreSQL parses and plans every statement it is sent by text; a named one only once per connection. The
 * texts of the query shapes (a fixed set: lists are bound as arrays) are sent by name, under a digest of the
 * text so that one text always has the one name; every other statement as before.
 */
function namedStatements(pool: pg.Pool): { add(text: string): void } {
  const names = new Map<string, string>();
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
      const name = typeof text === 'string' && callback === undefined ? names.get(text) : undefined;
      return name === undefined ? query(text, values, callback) : query({ name, text, values });
    }) as typeof client.query;
  });
  return {
    add(text) {
      if (names.size < MAX_NAMED_STATEMENTS && !names.has(text)) names.set(text, `pc_${crypto.createHash('sha1').update(text).digest('hex').slice(0, 20)}`);
    },
  };
}

/**
 * Keeps one connection listening for change notices. While it is not connected, generation() is null, so
 * keys are looked up on every request; a reconnect counts as a change, since notices may have been missed.
 */
function listenForChanges(
  url: string,
  recorder: StatementRecorder | null,
  ownSchema: () => Promise<string>,
): { generation(): number | null; snapshot(): Promise<string | null>; onWebhookNotice(fn: (companyId: string) => void): () => void; close(): Promise<void> } {
  const webhookListeners = new Set<(companyId: string) => void>();
  let generation = 0;
  let connected = false;
  let closed = false;
  // On Citus a write to one company runs on the worker that holds its shard, and this node's snapshot does not
  // move with it: there the snapshot names nothing, and writeGeneration is null (reads ask the database).
  let distributed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    if (closed) return;
    // A snapshot reading that hangs would hold up every read waiting on it: it fails (null) after 5 s instead.
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, query_timeout: 5000 });
    if (recorder) recordQueries(c, recorder);
    client = c;
    const lost = () => {
      connected = false;
      c.removeAllListeners();
      c.end().catch(() => {});
      if (!closed) retry = setTimeout(() => void connect(), 1000).unref();
    };
    c.on('error', lost);
    c.on('end', () => connected && lost());
    let schema: string | undefined;
    c.on('notification', (notice) => {
      if (notice.channel === WEBHOOK_CHANNEL) {
        if (notice.payload) for (const fn of webhookListeners) fn(notice.payload);
      } else if (!notice.payload || schema === undefined || notice.payload === schema) generation++;
    });
    try {
      schema = await ownSchema();
      await c.connect();
      await c.query(`LISTEN ${CHANGED_CHANNEL}`);
      await c.query(`LISTEN ${WEBHOOK_CHANNEL}`);
      const citus = await c.query<{ citus: boolean }>(`SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') AS citus`);
      distributed = citus.rows[0]?.citus === true;
      generation++;
      connected = true;
    } catch {
      lost();
    }
  };
  void connect();
  return {
    generation: () => (connected ? generation : null),
    onWebhookNotice(fn) {
      webhookListeners.add(fn);
      return () => void webhookListeners.delete(fn);
    },
    /**
     * The server's current snapshot as text, for writeGeneration: it changes exactly when another transaction's
     * writes become visible (a commit moves xmax or leaves the in-progress list), so two equal readings mean
     * nothing became visible between them. Asked on this connection, which is otherwise idle, by the simple
     * protocol (one message each way); null while it is down.
     */
    snapshot: async () => {
      if (!connected || !client) return null;
      try {
        // Asked on Citus too: the round trip is what heardChanges waits for.
        const r = await client.query<{ s: string }>('SELECT pg_current_snapshot()::text AS s');
        return distributed ? null : (r.rows[0]?.s ?? null);
      } catch {
        return null;
      }
    },
    async close() {
      closed = true;
      connected = false;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;

export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Errors a client should retry: the database is down, busy or restarting. */
export function isUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (!code) return false;
  return (
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_LOCKED' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'ENOTFOUND' ||
    code === '40001' || // serialization failure
    code === '40P01' || // deadlock detected
    code.startsWith('08') || // connection exceptions
    code.startsWith('57P') || // admin shutdown, crash shutdown, cannot connect now
    code === '53300' // too many connections
  );
}

/** PostgreSQL's data exceptions (class 22: bad text encoding, numbers out of range): the client's value, not a bug. */
export function isDataException(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && /^22[0-9A-Z]{3}$/.test(code);
}
