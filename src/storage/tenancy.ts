// How the tables divide by company, for a distributed PostgreSQL (Citus): every tenant table is distributed by
// company_id and co-located with the others, so a statement that pins one company runs on one node; the
// platform's own tables are reference tables, copied to every node. migrations/citus/ applies this plan, the
// catalog test (test/storage/tenant-keys.test.ts) holds the schema to it, and the statement check
// (test/support/tenant-statements.ts) holds every statement to it.
import type { Database } from './schema.js';

/**
 * The tables that hold one company's data, each with company_id leading every key and index. In the order
 * they are distributed: a table comes after the tables its foreign keys name (Citus needs the referenced
 * table distributed, or a reference table, first).
 */
export const TENANT_TABLES = [
  'api_keys',
  'businesses',
  'customers',
  'staff',
  'services',
  'products',
  'package_templates',
  'packages',
  'package_items',
  'redemptions',
  'package_events',
  'idempotency_keys',
  'webhook_endpoints',
  'webhook_messages',
  'webhook_attempts',
  'expiring_soon_notices',
] as const satisfies readonly (keyof Database)[];

/**
 * The platform's tables, one copy on every node: the list of tenants (one small row each, read by id on
 * every request and walked in order by the jobs that visit every company) and the migrations applied.
 */
export const REFERENCE_TABLES = ['companies', 'schema_migrations'] as const satisfies readonly (keyof Database)[];

export type TenantTable = (typeof TENANT_TABLES)[number];

/** The column every tenant table is distributed by. */
export const TENANT_COLUMN = 'company_id';
