// punchcard migrate: applies pending migrations to the configured database (the server also does at start).
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { openStore } from '../bootstrap.js';

/** Brings the schema up to date and says what it applied. */
export async function migrateDatabase(config: Config = loadConfig()): Promise<string[]> {
  const { store, applied } = await openStore(config);
  await store.close();
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the schema is up to date');
  return applied;
}

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending migrations to the configured database (the server also does at start)')
    .addHelpText('after', '\nExample:\n  DATABASE_URL=postgres://punchcard@db/punchcard punchcard migrate')
    .action(async () => {
      await migrateDatabase();
    });
}
