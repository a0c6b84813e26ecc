// Opens storage for the server and the CLIs alike: config → database → migrations → Store.
import type { Config } from './config.js';
import { openDatabase } from './storage/database.js';
import { migrate } from './storage/migrate.js';
import { createStore } from './storage/store.js';
import type { Store } from './application/ports.js';

export async function openStore(config: Config, options: { migrate?: boolean } = {}): Promise<{ store: Store; applied: string[] }> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, listenUrl: config.listenUrl });
  try {
    const applied = options.migrate === false ? [] : await migrate(db);
    return { store: createStore(db), applied };
  } catch (error) {
    await db.close();
    throw error;
  }
}
