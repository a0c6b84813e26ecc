// The storage the use cases need, stated as interfaces beside their consumers; storage/ implements them.
// A repository obtained inside Store.transaction runs on that transaction; Store.read runs outside one.
import type { Role } from '../domain/access.js';
import type { DomainError } from '../domain/errors.js';
import type { Business, Company, Customer, Product, Service, Staff } from '../domain/reference.js';
import type { PageRequest } from './paging.js';

export interface StoredApiKey {
  readonly companyId: string;
  readonly id: string;
  /** SHA-256 of the key text, hex; the text itself is never stored. */
  readonly hash: string;
  readonly prefix: string;
  readonly role: Role;
  readonly businessIds: readonly string[];
  readonly createTime: number;
  readonly revokeTime: number | null;
}

export interface CompanyRepo {
  /** Throws ALREADY_EXISTS when the id is taken. */
  insert(company: Company): Promise<void>;
  get(id: string): Promise<Company | undefined>;
  count(): Promise<number>;
}

export interface ApiKeyRepo {
  insert(key: StoredApiKey): Promise<void>;
  /** Revoked keys are returned too; the caller decides. */
  findByHash(companyId: string, hash: string): Promise<StoredApiKey | undefined>;
  list(companyId: string, page: PageRequest): Promise<StoredApiKey[]>;
  /** Sets the revoke time once; false when no such key. */
  revoke(companyId: string, id: string, at: number): Promise<boolean>;
}

/** Upserts by (companyId, id) and returns the stored row; lists in id order, size+1 rows for paging. */
export interface ReferenceRepo<T, F = undefined> {
  upsert(entity: T): Promise<T>;
  get(companyId: string, id: string): Promise<T | undefined>;
  getMany(companyId: string, ids: readonly string[]): Promise<T[]>;
  list(companyId: string, page: PageRequest, filter?: F): Promise<T[]>;
}

export interface CustomerFilter {
  /** Lower-cased text matched anywhere in names, email or phone digits. */
  readonly query?: string;
}

export interface Repos {
  readonly companies: CompanyRepo;
  readonly apiKeys: ApiKeyRepo;
  readonly businesses: ReferenceRepo<Business>;
  readonly customers: ReferenceRepo<Customer, CustomerFilter>;
  readonly staff: ReferenceRepo<Staff>;
  readonly services: ReferenceRepo<Service>;
  readonly products: ReferenceRepo<Product>;
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  readonly read: Repos;
  transaction<T>(fn: (repos: Repos) => Promise<T>): Promise<T>;
  /** Throws when storage cannot be reached. */
  ping(): Promise<void>;
  /** Maps a driver error to a DomainError when it means something to a client (retry, duplicate). */
  classify(error: unknown): DomainError | undefined;
  close(): Promise<void>;
}
