// The command line as an operator runs it: the built dist/src/cli/main.js (the test run's global setup builds it),
// in a process of its own, against a test database named by the environment alone.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Engine } from '../../src/storage/database.js';
import { recordEnv } from '../support/record-env.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = path.join(root, 'dist/src/cli/main.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where a command's database is: DATABASE_URL for PostgreSQL, else the SQLite file in dataDir. */
export interface CliDatabase {
  readonly databaseUrl: string | null;
  readonly dataDir: string;
}

export function cliEnv(db: CliDatabase, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, PUNCHCARD_DATA_DIR: db.dataDir, LOG_LEVEL: 'warn', ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}), ...recordEnv(), ...extra };
}

/** Runs a command; resolves with its output and exit code whatever the code. */
export function runCli(db: CliDatabase, args: readonly string[], options: { env?: NodeJS.ProcessEnv; command?: readonly string[] } = {}): Promise<CliResult> {
  const [file, ...pre] = options.command ?? [process.execPath, CLI];
  return new Promise((resolve) => {
    execFile(file!, [...pre, ...args], { env: cliEnv(db, options.env), cwd: root, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A command run in the background, e.g. `serve`: its output so far, and a way to stop it. */
export function spawnCli(db: CliDatabase, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv(db, env), cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    async stop(): Promise<number | null> {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The lines a command printed, without empty ones. */
export const linesOf = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

/**
 * A whole new database: a new data dir (SQLite), or a new PostgreSQL database on the TEST_DATABASE_URL server
 * (backups and restores are of whole databases, not of one test's schema).
 */
export async function createWholeDatabase(engine: Engine): Promise<CliDatabase & { drop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-cli-'));
  if (engine === 'sqlite') return { databaseUrl: null, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  const base = process.env.TEST_DATABASE_URL!;
  const name = `punchcard_cli_${randomBytes(5).toString('hex')}`;
  const admin = async (statement: string) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  url.search = '';
  return {
    databaseUrl: url.toString(),
    dataDir,
    drop: async () => {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
