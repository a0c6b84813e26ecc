// npm run keys -- create --company cmp_demo --role ADMIN [--name "Front desk"] [--business bus_1 …]
//                 list --company cmp_demo | revoke --company cmp_demo --id key_…
// Works from the database alone, for a key that was lost.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openStore } from '../bootstrap.js';
import { systemClock } from '../domain/clock.js';
import { ROLES, type Role } from '../domain/access.js';
import { issueKey } from '../application/keys.js';
import type { Deps } from '../application/context.js';
import { DomainError } from '../domain/errors.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    company: { type: 'string' },
    role: { type: 'string', default: 'ADMIN' },
    name: { type: 'string', default: '' },
    business: { type: 'string', multiple: true },
    id: { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`keys: ${message}`);
  process.exit(2);
}

const command = positionals[0];
if (!command || !['create', 'list', 'revoke'].includes(command)) fail('usage: keys create|list|revoke --company ID [--role ADMIN|STAFF|VIEWER] [--name NAME] [--business ID] [--id KEY_ID]');
const companyId = values.company ?? fail('--company is required');
const { store } = await openStore(loadConfig());
const deps: Deps = { store, clock: systemClock, masterKey: null };
try {
  if (!(await store.read.companies.get(companyId))) fail(`company ${companyId} does not exist`);
  if (command === 'create') {
    const role = values.role as Role;
    if (!ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(', ')}`);
    const businessIds = [...new Set(values.business ?? [])];
    const known = new Set((await store.read.businesses.getMany(companyId, businessIds)).map((b) => b.id));
    const unknown = businessIds.find((b) => !known.has(b));
    if (unknown !== undefined) fail(`--business ${unknown} is not a business of ${companyId}`);
    const issued = await issueKey(deps, companyId, role, businessIds, values.name).catch((error: unknown) =>
      error instanceof DomainError ? fail(`--${error.message}`) : Promise.reject(error),
    );
    const named = issued.key.name ? ` "${issued.key.name}"` : '';
    console.log(`created ${issued.key.id}${named} (${role}) for ${companyId}; the key, shown only now:\n\n    ${issued.text}\n`);
  } else if (command === 'list') {
    const keys = await store.read.apiKeys.list(companyId, { size: 500, after: null, offset: 0 });
    for (const k of keys) console.log(`${k.id}  ${k.role.padEnd(6)}  ${k.prefix}  ${k.revokeTime ? 'revoked' : 'active'}${k.name ? `  ${k.name}` : ''}`);
  } else {
    const id = values.id ?? fail('--id is required');
    if (!(await store.transaction((repos) => repos.apiKeys.revoke(companyId, id, systemClock.now())))) fail(`no key ${id}`);
    console.log(`revoked ${id}`);
  }
} finally {
  await store.close();
}
