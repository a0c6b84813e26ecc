-- Distributes the schema by company on Citus. Run after the numbered migrations, on the coordinator:
--   punchcard migrate && psql "$DATABASE_URL" -f migrations/citus/001_distribute.sql
-- A no-op where the citus extension is not installed (plain PostgreSQL), and safe to run again: a table that
-- is already distributed is left as it is. storage/tenancy.ts holds the same plan, and a test holds this file to it.
--
-- Reference tables (one copy on every node): companies, the list of tenants, read by id on every request and
-- walked in order by the jobs that visit every company; schema_migrations, read by every process at start.
-- Tenant tables: distributed by company_id, all co-located with api_keys, so one company's rows of every table
-- live on one node and a statement that pins one company (every statement does) runs there whole. Each comes
-- after the tables its foreign keys name: Citus needs the referenced table distributed (or a reference table) first.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
    RAISE NOTICE 'citus is not installed: nothing to distribute';
    RETURN;
  END IF;

  PERFORM create_reference_table('companies') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'companies'::regclass);
  PERFORM create_reference_table('schema_migrations') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'schema_migrations'::regclass);

  PERFORM create_distributed_table('api_keys', 'company_id', colocate_with => 'none') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'api_keys'::regclass);
  PERFORM create_distributed_table('businesses', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'businesses'::regclass);
  PERFORM create_distributed_table('customers', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'customers'::regclass);
  PERFORM create_distributed_table('staff', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'staff'::regclass);
  PERFORM create_distributed_table('services', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'services'::regclass);
  PERFORM create_distributed_table('products', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'products'::regclass);
  PERFORM create_distributed_table('package_templates', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'package_templates'::regclass);
  PERFORM create_distributed_table('packages', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'packages'::regclass);
  PERFORM create_distributed_table('package_items', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'package_items'::regclass);
  PERFORM create_distributed_table('redemptions', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'redemptions'::regclass);
  PERFORM create_distributed_table('package_events', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'package_events'::regclass);
  PERFORM create_distributed_table('idempotency_keys', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'idempotency_keys'::regclass);
  PERFORM create_distributed_table('webhook_endpoints', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'webhook_endpoints'::regclass);
  PERFORM create_distributed_table('webhook_messages', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'webhook_messages'::regclass);
  PERFORM create_distributed_table('webhook_attempts', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'webhook_attempts'::regclass);
  PERFORM create_distributed_table('expiring_soon_notices', 'company_id', colocate_with => 'api_keys') WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'expiring_soon_notices'::regclass);
END
$$;
