// punchcard backup --out FILE and punchcard restore FILE [--force]: the commands over storage/backup.ts, with a
// progress bar on a terminal and the one line that says what was done.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { BackupError, backup as backupDatabase, restore as restoreDatabase, type BackupOptions, type RestoreOptions } from '../storage/backup.js';
import { migrateDatabase } from './migrate.js';
import { CliError, progress } from './common.js';

/** A storage refusal becomes the command line's one line. */
async function asCli<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BackupError) throw new CliError(error.message);
    throw error;
  }
}

/** Takes a backup into `out`; the file appears only once it is complete. Returns a line that says what was done. */
export async function backup(out: string, config = loadConfig(), options: Omit<BackupOptions, 'onProgress'> = {}): Promise<string> {
  const bar = progress('backing up');
  try {
    return await asCli(() => backupDatabase(out, config, { ...options, onProgress: (done, total) => bar.update(done, total) }));
  } finally {
    bar.stop();
  }
}

/** Restores a backup into the configured database (empty unless --force), then migrates it. */
export async function restore(file: string, options: RestoreOptions, config = loadConfig()): Promise<string> {
  const where = await asCli(() => restoreDatabase(file, options, config));
  console.log(`restored ${file} into ${where}`);
  await migrateDatabase(config);
  return where;
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('take a consistent copy of the database while the server runs (SQLite: the online backup API; PostgreSQL: pg_dump)')
    .requiredOption('--out <file>', 'write the backup here; the file appears only once complete')
    .addHelpText(
      'after',
      `
SQLite: copies PUNCHCARD_DATA_DIR/punchcard.db through a connection of its own; writers carry on.
PostgreSQL (DATABASE_URL set): runs pg_dump --format=custom (pg_dump must be on PATH, version 15 or later).

Example:
  punchcard backup --out backups/punchcard-$(date +%F).db`,
    )
    .action(async (options: { out: string }) => {
      console.log(await backup(options.out));
    });

  program
    .command('restore')
    .description('restore a backup into an empty database, then bring its schema up to date')
    .argument('<file>', 'a file written by punchcard backup')
    .option('--force', 'replace the contents of a database that is not empty')
    .addHelpText(
      'after',
      `
Refuses a database that holds anything (a company, or any table with rows) unless --force.
SQLite: replaces PUNCHCARD_DATA_DIR/punchcard.db. Stop the server first: it must not be running on that
database while it is restored.
PostgreSQL (DATABASE_URL set): runs pg_restore --no-owner --clean --if-exists in one transaction (pg_restore must
be on PATH); stop the servers first there too.

Example:
  PUNCHCARD_DATA_DIR=/srv/punchcard punchcard restore backups/punchcard-2026-12-01.db`,
    )
    .action(async (file: string, options: RestoreOptions) => {
      await restore(file, options);
    });
}
