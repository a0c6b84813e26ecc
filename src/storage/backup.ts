// Backups and restores of the database, for the command line's backup and restore. A backup is a consistent copy
// taken while the server runs: SQLite's online backup API from a connection of its own (writers carry on; a pass that a write
// overtakes starts again, then in one step), or pg_dump's snapshot on PostgreSQL. A restore goes into an empty
// database only (unless --force), then migrates it, so a backup from an older version comes up to date.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { Config } from '../config.js';
import { openDatabase, sqliteFile } from './database.js';

/** A backup or restore that cannot be done, said in one line for the person who asked. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** Told the pages copied so far of the total (SQLite's online backup). */
export type BackupProgress = (done: number, total: number) => void;

/** Pages copied per step: about 4 MB at SQLite's default page size, for a bar that moves. */
const PAGES_PER_STEP = 1024;
const ALL_PAGES = 0x7fffffff;

type BackupKind = 'sqlite' | 'postgres';

const engineOf = (config: Config): BackupKind => (config.databaseUrl ? 'postgres' : 'sqlite');

const sizeOf = (bytes: number): string => (bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** The database a URL names, for people to read (never its password). */
function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `the database in ${config.dataDir}`;
  const url = new URL(config.databaseUrl);
  return `the PostgreSQL database ${decodeURIComponent(url.pathname.slice(1)) || '(default)'} on ${url.host}`;
}

/** A name beside `target` to write to first, so that `target` appears only once complete. */
const partialOf = (target: string): string => path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`);

/** What a backup file holds, by its first bytes: an SQLite database or pg_dump's custom format. */
function kindOfFile(file: string): BackupKind | null {
  const head = Buffer.alloc(16);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('latin1') === 'SQLite format 3\u0000') return 'sqlite';
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'postgres';
  return null;
}

// ---- PostgreSQL: pg_dump and pg_restore ----

/**
 * Runs a PostgreSQL client tool against the database. The password goes in the environment, not on the command
 * line, where every user of the machine could read it. Fails with the tool's own last line.
 */
function runPgTool(tool: 'pg_dump' | 'pg_restore', args: readonly string[], databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  const env = { ...process.env, ...(password ? { PGPASSWORD: password } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...args, `--dbname=${url.toString()}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(new BackupError(error.code === 'ENOENT' ? `${tool} was not found on PATH: install the PostgreSQL client tools (version 15 or later)` : `${tool}: ${error.message}`)),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const last = stderr.trim().split('\n').filter((l) => l.trim() !== '').pop() ?? `exit code ${code ?? signal}`;
      reject(new BackupError(`${tool} failed: ${last.replace(new RegExp(`^${tool}: (error: )?`), '')}`));
    });
  });
}

// ---- SQLite ----

export interface BackupOptions {
  /** SQLite: pages copied per step (tests make it small, to see a copy overtaken by writers). */
  readonly pagesPerStep?: number;
  readonly onProgress?: BackupProgress;
}

/** Copies the live database with SQLite's online backup API into `to`, a single self-contained file. */
async function backupSqlite(config: Config, to: string, options: BackupOptions): Promise<void> {
  const file = sqliteFile(config.dataDir);
  if (!fs.existsSync(file)) throw new BackupError(`there is no database at ${file} (PUNCHCARD_DATA_DIR) to back up`);
  const source = new SQLite(file, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    let lastRemaining = Infinity;
    let rate = options.pagesPerStep ?? PAGES_PER_STEP;
    await source.backup(to, {
      progress: ({ totalPages, remainingPages }) => {
        // A write by another connection restarts the copy: then copy everything in one step, inside one read
        // snapshot, which WAL lets writers carry on beside.
        if (remainingPages > lastRemaining) rate = ALL_PAGES;
        lastRemaining = remainingPages;
        options.onProgress?.(totalPages - remainingPages, totalPages);
        return rate;
      },
    });
  } finally {
    source.close();
  }
  // The copy inherits WAL mode; a backup is one file, with no -wal beside it to lose.
  const copy = new SQLite(to, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/** Takes a backup into `out`; the file appears only once it is complete. Returns a line that says what was done. */
export async function backup(out: string, config: Config, options: BackupOptions = {}): Promise<string> {
  const target = path.resolve(out);
  if (!fs.existsSync(path.dirname(target))) throw new BackupError(`--out ${out}: the folder ${path.dirname(target)} does not exist`);
  const partial = partialOf(target);
  try {
    if (config.databaseUrl) await runPgTool('pg_dump', ['--format=custom', `--file=${partial}`], config.databaseUrl);
    else await backupSqlite(config, partial, options);
    await fs.promises.rename(partial, target);
  } finally {
    await fs.promises.rm(partial, { force: true });
  }
  const kind = engineOf(config) === 'postgres' ? "pg_dump's custom format" : 'SQLite';
  return `backed up ${describeDatabase(config)} to ${out} (${sizeOf(fs.statSync(target).size)}, ${kind})`;
}

// ---- restore ----

/**
 * The first table that holds a row, or null for an empty database. The migrations' own record does not count: a
 * database that was only migrated is still empty.
 */
async function firstTableWithRows(config: Config): Promise<string | null> {
  if (!config.databaseUrl && !fs.existsSync(sqliteFile(config.dataDir))) return null;
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  try {
    const tables = (await db.kysely.introspection.getTables()).filter((t) => !t.isView && t.name !== 'schema_migrations');
    // Companies first: the usual reason a database is not empty.
    tables.sort((a, b) => Number(b.name === 'companies') - Number(a.name === 'companies'));
    for (const t of tables) {
      const name = t.schema && t.schema !== 'main' ? `${t.schema}.${t.name}` : t.name;
      const row = await db.kysely
        .selectFrom(name as never)
        .select((eb) => eb.lit(1).as('one'))
        .limit(1)
        .executeTakeFirst();
      if (row) return name;
    }
    return null;
  } finally {
    await db.close();
  }
}

/** Checks that an SQLite file is a readable Punchcard database. */
function checkSqliteBackup(file: string): void {
  let db: SQLite.Database | undefined;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`${file} is damaged: ${String(check)}`);
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get()) {
      throw new BackupError(`${file} is an SQLite database but not a Punchcard backup`);
    }
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} cannot be read as an SQLite database: ${(error as Error).message}`);
  } finally {
    db?.close();
  }
}

/** Puts the backup in place of the data dir's database file (with no -wal or -shm of the old one left to replay). */
async function restoreSqlite(config: Config, file: string): Promise<void> {
  checkSqliteBackup(file);
  fs.mkdirSync(config.dataDir, { recursive: true });
  const target = sqliteFile(config.dataDir);
  const partial = partialOf(target);
  try {
    await fs.promises.copyFile(file, partial);
    for (const suffix of ['-wal', '-shm', '-journal']) await fs.promises.rm(`${target}${suffix}`, { force: true });
    await fs.promises.rename(partial, target);
  } finally {
    await fs.promises.rm(partial, { force: true });
  }
}

export interface RestoreOptions {
  readonly force?: boolean;
}

/** Restores a backup into the configured database, empty unless forced. Answers where it went; migrate it next. */
export async function restore(file: string, options: RestoreOptions, config: Config): Promise<string> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new BackupError(`cannot read ${file}: no such file`);
  const engine = engineOf(config);
  const kind = kindOfFile(file);
  if (kind === null) throw new BackupError(`${file} is not a Punchcard backup (neither an SQLite database nor a pg_dump custom-format file)`);
  if (kind !== engine) {
    throw new BackupError(
      kind === 'sqlite'
        ? `${file} is an SQLite backup, but DATABASE_URL selects PostgreSQL: unset it to restore into PUNCHCARD_DATA_DIR`
        : `${file} is a PostgreSQL backup, but DATABASE_URL is not set: set it to the database to restore into`,
    );
  }
  const where = describeDatabase(config);
  const filled = await firstTableWithRows(config);
  if (filled !== null && !options.force) {
    throw new BackupError(`${where} is not empty (${filled} has rows): restore refuses to overwrite it; pass --force to replace its contents`);
  }
  if (config.databaseUrl) {
    // --clean --if-exists replaces what is there (an empty but migrated schema, or with --force, the data);
    // one transaction, so a restore that fails leaves the database as it was.
    await runPgTool('pg_restore', ['--no-owner', '--exit-on-error', '--single-transaction', '--clean', '--if-exists', file], config.databaseUrl);
  } else {
    await restoreSqlite(config, file);
  }
  return where;
}

