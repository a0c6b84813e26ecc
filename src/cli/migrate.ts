// npm run migrate: applies pending migrations to the configured database.
import { loadConfig } from '../config.js';
import { openStore } from '../bootstrap.js';

const config = loadConfig();
const { store, applied } = await openStore(config);
console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the schema is up to date');
await store.close();
