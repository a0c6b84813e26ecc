// Companies, API keys and authentication. A key's text is "pck.<companyId>.<secret>": it is shown once and
// stored only as its SHA-256, and naming the company inside it keeps every lookup under company_id.
import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal, Role } from '../domain/access.js';
import { ROLES, authorize, requireMaster } from '../domain/access.js';
import { DomainError, invalidArgument, notFound } from '../domain/errors.js';
import type { Company } from '../domain/reference.js';
import { isValidId } from '../domain/reference.js';
import type { Deps } from './context.js';
import { requireCompany } from './context.js';
import { checkBusinessIds } from './reference-data.js';
import { newId } from './ids.js';
import type { Page, PageRequest } from './paging.js';
import { pageOf } from './paging.js';
import type { StoredApiKey } from './ports.js';

export const hashKey = (text: string): string => hash('sha256', text, 'hex');

export function newKeyText(companyId: string): string {
  return `pck.${companyId}.${randomBytes(32).toString('base64url')}`;
}

const unauthenticated = (message: string) => new DomainError('UNAUTHENTICATED', message);

/** The refusal of a request that presents no key at all. */
export const keyRequired = (): DomainError => unauthenticated('an API key is required: Authorization: Bearer <key>');

const masterDigests = new Map<string, Buffer>();

function isMasterKey(masterKey: string | null, digest: Buffer): boolean {
  if (!masterKey) return false;
  let master = masterDigests.get(masterKey);
  if (!master) masterDigests.set(masterKey, (master = createHash('sha256').update(masterKey).digest()));
  // Digests of equal length, so the comparison takes the same time whatever was presented.
  return timingSafeEqual(master, digest);
}

/**
 * The principal of a key this process has seen since the last revocation anywhere, without any I/O, given the
 * store's change generation as heardChanges answered it after the request came; undefined when it must be
 * looked up (authenticate).
 */
export function knownPrincipal(deps: Deps, keyText: string, heard: number | null): Principal | undefined {
  return deps.keyCache?.get(hashKey(keyText), heard);
}

// One-shot hashing: about a third of createHash's cost, and this runs on every request.
const digestOf = (text: string): Buffer => hash('sha256', text, 'buffer') as unknown as Buffer;

/** The master key's principal when that is the key presented (no I/O); the master key is never rate-limited. */
export function masterPrincipal(deps: Deps, keyText: string | undefined): Principal | undefined {
  return keyText && deps.masterKey !== null && isMasterKey(deps.masterKey, digestOf(keyText)) ? { kind: 'master' } : undefined;
}

/** Resolves a presented key to its principal; unknown, malformed and revoked keys are all UNAUTHENTICATED. */
export async function authenticate(deps: Deps, keyText: string | undefined): Promise<Principal> {
  if (!keyText) throw keyRequired();
  const digest = digestOf(keyText);
  if (isMasterKey(deps.masterKey, digest)) return { kind: 'master' };
  const parts = keyText.split('.');
  if (parts.length !== 3 || parts[0] !== 'pck' || !isValidId(parts[1]!)) throw unauthenticated('unknown API key');
  const hash = digest.toString('hex');
  const cache = deps.keyCache;
  const generation = cache ? deps.store.changeGeneration() : null;
  const cached = cache?.get(hash, generation);
  if (cached) return cached;
  const stored = await deps.store.read.apiKeys.findByHash(parts[1]!, hash);
  if (!stored) throw unauthenticated('unknown API key');
  if (stored.revokeTime !== null) throw unauthenticated('this API key has been revoked');
  const principal: Principal = { kind: 'key', companyId: stored.companyId, keyId: stored.id, name: stored.name, role: stored.role, businessIds: stored.businessIds };
  // Only if nothing was revoked anywhere while we looked.
  if (cache && generation !== null && deps.store.changeGeneration() === generation) cache.set(hash, principal, generation);
  return principal;
}

export interface CreateCompanyInput {
  readonly id: string;
  readonly name: string;
}

/** Creates a tenant (master key only). */
export async function createCompany(deps: Deps, principal: Principal, input: CreateCompanyInput): Promise<Company> {
  requireMaster(principal);
  const now = deps.clock.now();
  const company: Company = { id: input.id, name: input.name, createTime: now, updateTime: now };
  await deps.store.transaction((repos) => repos.companies.insert(company));
  return company;
}

export interface CreateKeyInput {
  readonly role: string;
  /** Absent means no name (''). */
  readonly name?: string;
  readonly businessIds?: readonly string[];
}

export interface IssuedKey {
  readonly key: StoredApiKey;
  /** The only time the key text exists outside the caller's hands. */
  readonly text: string;
}

function parseRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw invalidArgument('role', `must be one of ${ROLES.join(', ')}`);
  return role as Role;
}

/** The contract's limit for names. */
const KEY_NAME_MAX_LENGTH = 200;

/** Issues a key for a company: the master key, or an ADMIN key of that company. */
export async function createApiKey(deps: Deps, principal: Principal, companyId: string, input: CreateKeyInput): Promise<IssuedKey> {
  authorize(principal, companyId, 'admin');
  await requireCompany(deps, principal, companyId);
  return issueKey(deps, companyId, parseRole(input.role), await checkBusinessIds(deps, companyId, input.businessIds), input.name ?? '');
}

/** Issues a key without a caller: first start and the key CLI, which act from the database alone. */
export async function issueKey(deps: Deps, companyId: string, role: Role, businessIds: readonly string[] = [], name = ''): Promise<IssuedKey> {
  // Counted in characters (code points), as the request schema counts them.
  if ([...name].length > KEY_NAME_MAX_LENGTH) throw invalidArgument('name', `at most ${KEY_NAME_MAX_LENGTH} characters`);
  const text = newKeyText(companyId);
  const key: StoredApiKey = {
    companyId,
    id: newId('apiKey'),
    hash: hashKey(text),
    prefix: `${text.slice(0, text.lastIndexOf('.') + 7)}…`,
    name,
    role,
    businessIds,
    createTime: deps.clock.now(),
    revokeTime: null,
  };
  await deps.store.transaction((repos) => repos.apiKeys.insert(key));
  return { key, text };
}

/** Lists a company's keys: ids, names, roles and prefixes, never the keys. */
export async function listApiKeys(deps: Deps, principal: Principal, companyId: string, page: PageRequest): Promise<Page<StoredApiKey>> {
  authorize(principal, companyId, 'admin');
  await requireCompany(deps, principal, companyId);
  return pageOf(await deps.store.read.apiKeys.list(companyId, page), page, (k) => k.id);
}

/** Revokes a key at once: every process looks keys up per request, so the next request fails. */
export async function revokeApiKey(deps: Deps, principal: Principal, companyId: string, keyId: string): Promise<void> {
  authorize(principal, companyId, 'admin');
  await requireCompany(deps, principal, companyId);
  const revoked = await deps.store.transaction((repos) => repos.apiKeys.revoke(companyId, keyId, deps.clock.now()));
  deps.keyCache?.clear();
  if (!revoked) throw notFound('API key', keyId);
}
