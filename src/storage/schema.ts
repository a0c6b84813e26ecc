// Row types as the database stores them. Nothing outside storage/ sees these: every row crosses the
// boundary through a named mapper. BIGINT columns arrive as numbers on both engines (see database.ts).
import type { Generated } from 'kysely';

export interface CompaniesTable {
  company_id: string;
  name: string;
  created_at: number;
  updated_at: number;
}

export interface ApiKeysTable {
  company_id: string;
  key_id: string;
  key_hash: string;
  prefix: string;
  role: string;
  business_ids: string;
  created_at: number;
  revoked_at: number | null;
  /** '' when the key has no name. */
  name: string;
}

export interface BusinessesTable {
  company_id: string;
  business_id: string;
  name: string;
  time_zone: string;
  currency_code: string;
  created_at: number;
  updated_at: number;
}

export interface CustomersTable {
  company_id: string;
  customer_id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  search_text: string;
  created_at: number;
  updated_at: number;
}

export interface StaffTable {
  company_id: string;
  staff_id: string;
  first_name: string;
  last_name: string;
  created_at: number;
  updated_at: number;
}

export interface ServicesTable {
  company_id: string;
  service_id: string;
  name: string;
  duration_minutes: number;
  price_currency: string;
  price_minor: number;
  business_ids: string;
  created_at: number;
  updated_at: number;
  /** When it was archived (migration 009); null while it is in the catalog. */
  archived_at: number | null;
}

export interface ProductsTable {
  company_id: string;
  product_id: string;
  name: string;
  price_currency: string;
  price_minor: number;
  business_ids: string;
  created_at: number;
  updated_at: number;
  /** When it was archived (migration 009); null while it is in the catalog. */
  archived_at: number | null;
}

export interface PackageTemplatesTable {
  company_id: string;
  template_id: string;
  name: string;
  description: string;
  type: string;
  price_currency: string;
  price_minor: number;
  items: string;
  product_items: string;
  validity_kind: string;
  validity_value: number;
  grace_period_days: number;
  activation: string;
  restrict_to_selling_business: number;
  business_ids: string;
  archived_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface PackagesTable {
  company_id: string;
  package_id: string;
  customer_id: string;
  business_id: string;
  staff_id: string | null;
  template_id: string;
  name: string;
  description: string;
  type: string;
  currency: string;
  list_price_minor: number;
  paid_minor: number;
  time_zone: string;
  purchase_time: number;
  start_time: number | null;
  end_time: number | null;
  validity_kind: string;
  validity_value: number;
  grace_period_days: number;
  activation: string;
  restrict_to_selling_business: number;
  freeze_start_date: string | null;
  freeze_end_date: string | null;
  freeze_reason: string | null;
  cancelled_at: number | null;
  refund_minor: number | null;
  expired_at: number | null;
  invoice_id: string | null;
  invoice_no: string | null;
  invoice_receipt_no: string | null;
  invoice_status: string | null;
  event_seq: number;
  created_at: number;
  updated_at: number;
  freeze_keep_end_time: number | null;
  grace_end_time: number | null;
  freeze_start_time: number | null;
  freeze_end_time: number | null;
  units_left: number;
  service_units_left: number;
  /** The package's id in the system it was imported from; null when sold here. */
  source_id: string | null;
}

export interface PackageItemsTable {
  company_id: string;
  package_id: string;
  item_id: string;
  position: number;
  kind: string;
  choices: string;
  quantity: number;
  total: number;
  used: number;
  held: number;
  remaining: number;
  value_minor: number;
  unit_minor: number;
  free: number;
}

export interface RedemptionsTable {
  company_id: string;
  redemption_id: string;
  package_id: string;
  item_id: string;
  service_id: string;
  quantity: number;
  business_id: string;
  staff_id: string | null;
  appointment_id: string | null;
  status: string;
  redeem_time: number;
  hold_expire_time: number | null;
  value_minor: number;
  created_at: number;
  updated_at: number;
}

export interface PackageEventsTable {
  company_id: string;
  package_id: string;
  seq: number;
  event_id: string;
  type: string;
  time: number;
  recorded_at: number;
  business_id: string;
  actor_key_id: string | null;
  actor_staff_id: string | null;
  redemption_id: string | null;
  item_id: string | null;
  quantity: number | null;
  value_delta_minor: number;
  refund_minor: number;
  breakage_delta_minor: number;
  total_remaining_after: number;
  data: string;
}

export interface IdempotencyKeysTable {
  company_id: string;
  idempotency_key: string;
  operation: string;
  request_hash: string;
  response_status: number;
  response_body: string;
  created_at: number;
}

export interface WebhookEndpointsTable {
  company_id: string;
  endpoint_id: string;
  url: string;
  event_types: string;
  format: string;
  description: string;
  disabled: number;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  failed_in_a_row: number;
  created_at: number;
  updated_at: number;
}

export interface WebhookMessagesTable {
  company_id: string;
  message_id: string;
  endpoint_id: string;
  type: string;
  event_id: string | null;
  package_id: string | null;
  body: string;
  status: string;
  attempts: number;
  round_attempts: number;
  next_attempt_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  last_attempt_at: number | null;
  last_response_status: number;
  created_at: number;
}

export interface WebhookAttemptsTable {
  company_id: string;
  message_id: string;
  attempt: number;
  time: number;
  response_status: number;
  duration_ms: number;
  error: string;
  response_body: string;
}

export interface ExpiringSoonNoticesTable {
  company_id: string;
  package_id: string;
  expiration_date: string;
  created_at: number;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: Generated<number>;
}

export interface Database {
  companies: CompaniesTable;
  api_keys: ApiKeysTable;
  businesses: BusinessesTable;
  customers: CustomersTable;
  staff: StaffTable;
  services: ServicesTable;
  products: ProductsTable;
  package_templates: PackageTemplatesTable;
  packages: PackagesTable;
  package_items: PackageItemsTable;
  redemptions: RedemptionsTable;
  package_events: PackageEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_messages: WebhookMessagesTable;
  webhook_attempts: WebhookAttemptsTable;
  expiring_soon_notices: ExpiringSoonNoticesTable;
  schema_migrations: SchemaMigrationsTable;
}
