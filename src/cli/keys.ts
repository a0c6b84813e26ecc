// punchcard keys create --company cmp_demo --role ADMIN [--name "Front desk"] [--business bus_1 …]
//                list --company cmp_demo | revoke --company cmp_demo --id key_…
// Works from the database alone, for a key that was lost.
import type { Command } from 'commander';
import { ROLES, type Role } from '../domain/access.js';
import { DomainError } from '../domain/errors.js';
import { issueKey } from '../application/keys.js';
import type { Deps } from '../application/context.js';
import { usageError, withDeps } from './common.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

async function requireCompany(deps: Deps, companyId: string): Promise<void> {
  if (!(await deps.store.read.companies.get(companyId))) throw usageError(`company ${companyId} does not exist`);
}

export interface CreateKeyOptions {
  readonly company: string;
  readonly role: string;
  readonly name?: string;
  readonly business?: readonly string[];
}

/** Issues a key and prints it, the only time it is ever shown. */
export async function createKey(deps: Deps, options: CreateKeyOptions): Promise<void> {
  const { company: companyId } = options;
  await requireCompany(deps, companyId);
  const role = options.role as Role;
  if (!ROLES.includes(role)) throw usageError(`--role must be one of ${ROLES.join(', ')}`);
  const businessIds = [...new Set(options.business ?? [])];
  const known = new Set((await deps.store.read.businesses.getMany(companyId, businessIds)).map((b) => b.id));
  const unknown = businessIds.find((b) => !known.has(b));
  if (unknown !== undefined) throw usageError(`--business ${unknown} is not a business of ${companyId}`);
  const issued = await issueKey(deps, companyId, role, businessIds, options.name ?? '').catch((error: unknown) =>
    Promise.reject(error instanceof DomainError ? usageError(`--${error.message}`) : error),
  );
  const named = issued.key.name ? ` "${issued.key.name}"` : '';
  console.log(`created ${issued.key.id}${named} (${role}) for ${companyId}; the key, shown only now:\n\n    ${issued.text}\n`);
}

/** One line a key: id, role, prefix, state and name; never the key itself. */
export async function listKeys(deps: Deps, companyId: string): Promise<void> {
  await requireCompany(deps, companyId);
  const keys = await deps.store.read.apiKeys.list(companyId, { size: 500, after: null, offset: 0 });
  for (const k of keys) console.log(`${k.id}  ${k.role.padEnd(6)}  ${k.prefix}  ${k.revokeTime ? 'revoked' : 'active'}${k.name ? `  ${k.name}` : ''}`);
}

/** Revokes a key at once, in every process (they look keys up again when one is revoked). */
export async function revokeKey(deps: Deps, companyId: string, id: string): Promise<void> {
  await requireCompany(deps, companyId);
  if (!(await deps.store.transaction((repos) => repos.apiKeys.revoke(companyId, id, deps.clock.now())))) throw usageError(`no key ${id}`);
  console.log(`revoked ${id}`);
}

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('create, list and revoke API keys from the database alone (for a key that was lost)')
    .addHelpText('after', '\nExample:\n  punchcard keys create --company cmp_demo --role ADMIN --name "Front desk"');

  keys
    .command('create')
    .description('issue a key and print it, the only time it is shown')
    .requiredOption('--company <id>', 'the company')
    .option('--role <role>', `${ROLES.join(', ')}`, 'ADMIN')
    .option('--name <name>', 'a name for people to read, in lists and the history')
    .option('--business <id>', 'a business the key is limited to (repeat for several; none: all of them)', collect)
    .action((options: CreateKeyOptions) => withDeps((deps) => createKey(deps, options)));

  keys
    .command('list')
    .description("the company's keys: id, role, prefix, active or revoked, name")
    .requiredOption('--company <id>', 'the company')
    .action((options: { company: string }) => withDeps((deps) => listKeys(deps, options.company)));

  keys
    .command('revoke')
    .description('revoke a key at once')
    .requiredOption('--company <id>', 'the company')
    .requiredOption('--id <keyId>', 'the key (key_…)')
    .action((options: { company: string; id: string }) => withDeps((deps) => revokeKey(deps, options.company, options.id)));
}
