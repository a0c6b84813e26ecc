-- The catalog, sold packages and the append-only ledger. Portable SQL (SQLite and PostgreSQL).

CREATE TABLE package_templates (
  company_id                    TEXT     NOT NULL REFERENCES companies (company_id),
  template_id                   TEXT     NOT NULL,
  name                          TEXT     NOT NULL,
  description                   TEXT     NOT NULL,
  type                          TEXT     NOT NULL,
  price_currency                TEXT     NOT NULL,
  price_minor                   BIGINT   NOT NULL CHECK (price_minor >= 0),
  -- [{serviceIds, quantity, unitPriceMinor|null}] and [{productId, quantity, unitPriceMinor|null}]
  items                         TEXT     NOT NULL,
  product_items                 TEXT     NOT NULL,
  validity_kind                 TEXT     NOT NULL CHECK (validity_kind IN ('DAYS', 'MONTHS', 'NEVER')),
  validity_value                INTEGER  NOT NULL,
  grace_period_days             INTEGER  NOT NULL,
  activation                    TEXT     NOT NULL,
  restrict_to_selling_business  INTEGER  NOT NULL,
  business_ids                  TEXT     NOT NULL DEFAULT '[]',
  archived_at                   BIGINT,
  created_at                    BIGINT   NOT NULL,
  updated_at                    BIGINT   NOT NULL,
  PRIMARY KEY (company_id, template_id)
);

CREATE TABLE packages (
  company_id                    TEXT     NOT NULL REFERENCES companies (company_id),
  package_id                    TEXT     NOT NULL,
  customer_id                   TEXT     NOT NULL,
  business_id                   TEXT     NOT NULL,
  staff_id                      TEXT,
  template_id                   TEXT     NOT NULL,
  name                          TEXT     NOT NULL,
  description                   TEXT     NOT NULL,
  type                          TEXT     NOT NULL,
  currency                      TEXT     NOT NULL,
  list_price_minor              BIGINT   NOT NULL,
  paid_minor                    BIGINT   NOT NULL CHECK (paid_minor >= 0),
  time_zone                     TEXT     NOT NULL,
  purchase_time                 BIGINT   NOT NULL,
  -- null until activated (activation ON_FIRST_REDEMPTION)
  start_time                    BIGINT,
  -- null when it never expires or has not started; moves with freezes and extensions
  end_time                      BIGINT,
  validity_kind                 TEXT     NOT NULL,
  validity_value                INTEGER  NOT NULL,
  grace_period_days             INTEGER  NOT NULL,
  activation                    TEXT     NOT NULL,
  restrict_to_selling_business  INTEGER  NOT NULL,
  freeze_start_date             TEXT,
  freeze_end_date               TEXT,
  freeze_reason                 TEXT,
  cancelled_at                  BIGINT,
  refund_minor                  BIGINT,
  expired_at                    BIGINT,
  invoice_id                    TEXT,
  invoice_no                    TEXT,
  invoice_receipt_no            TEXT,
  invoice_status                TEXT,
  -- the last ledger sequence number; bumping it locks the package for the transaction
  event_seq                     INTEGER  NOT NULL,
  created_at                    BIGINT   NOT NULL,
  updated_at                    BIGINT   NOT NULL,
  PRIMARY KEY (company_id, package_id)
);
CREATE INDEX packages_by_customer ON packages (company_id, customer_id, package_id);
CREATE INDEX packages_by_end ON packages (company_id, end_time);

CREATE TABLE package_items (
  company_id     TEXT     NOT NULL,
  package_id     TEXT     NOT NULL,
  item_id        TEXT     NOT NULL,
  position       INTEGER  NOT NULL,
  kind           TEXT     NOT NULL CHECK (kind IN ('SERVICE', 'PRODUCT')),
  -- [{id, name}] of the interchangeable services (or the one product), a snapshot at sale
  choices        TEXT     NOT NULL,
  quantity       INTEGER  NOT NULL CHECK (quantity >= 1),
  total          INTEGER  NOT NULL CHECK (total >= 0),
  used           INTEGER  NOT NULL CHECK (used >= 0),
  held           INTEGER  NOT NULL CHECK (held >= 0),
  remaining      INTEGER  NOT NULL CHECK (remaining >= 0),
  value_minor    BIGINT   NOT NULL,
  unit_minor     BIGINT   NOT NULL,
  PRIMARY KEY (company_id, package_id, item_id),
  FOREIGN KEY (company_id, package_id) REFERENCES packages (company_id, package_id),
  CHECK (remaining = total - used - held)
);

CREATE TABLE redemptions (
  company_id        TEXT     NOT NULL,
  redemption_id     TEXT     NOT NULL,
  package_id        TEXT     NOT NULL,
  item_id           TEXT     NOT NULL,
  service_id        TEXT     NOT NULL,
  quantity          INTEGER  NOT NULL CHECK (quantity >= 1),
  business_id       TEXT     NOT NULL,
  staff_id          TEXT,
  appointment_id    TEXT,
  status            TEXT     NOT NULL CHECK (status IN ('PENDING', 'COMMITTED', 'RELEASED', 'EXPIRED', 'REVERSED')),
  redeem_time       BIGINT   NOT NULL,
  hold_expire_time  BIGINT,
  value_minor       BIGINT   NOT NULL,
  created_at        BIGINT   NOT NULL,
  updated_at        BIGINT   NOT NULL,
  PRIMARY KEY (company_id, redemption_id),
  FOREIGN KEY (company_id, package_id) REFERENCES packages (company_id, package_id)
);
CREATE INDEX redemptions_by_package ON redemptions (company_id, package_id, status);
CREATE INDEX redemptions_pending_holds ON redemptions (company_id, hold_expire_time) WHERE status = 'PENDING';

CREATE TABLE package_events (
  company_id             TEXT     NOT NULL,
  package_id             TEXT     NOT NULL,
  seq                    INTEGER  NOT NULL,
  event_id               TEXT     NOT NULL,
  type                   TEXT     NOT NULL,
  -- when it took effect (a late sale's purchase time, a hold's expiry) and when it was written
  time                   BIGINT   NOT NULL,
  recorded_at            BIGINT   NOT NULL,
  business_id            TEXT     NOT NULL,
  actor_key_id           TEXT,
  actor_staff_id         TEXT,
  redemption_id          TEXT,
  item_id                TEXT,
  quantity               INTEGER,
  -- change of the outstanding liability (value paid and not yet used, refunded or expired)
  value_delta_minor      BIGINT   NOT NULL,
  refund_minor           BIGINT   NOT NULL,
  total_remaining_after  INTEGER  NOT NULL,
  data                   TEXT     NOT NULL,
  PRIMARY KEY (company_id, package_id, seq),
  FOREIGN KEY (company_id, package_id) REFERENCES packages (company_id, package_id)
);
CREATE UNIQUE INDEX package_events_by_id ON package_events (company_id, event_id);
CREATE INDEX package_events_by_time ON package_events (company_id, time);
-- A redemption is held, committed, released, expired or reversed at most once each: reversing twice is impossible.
CREATE UNIQUE INDEX package_events_once_per_redemption ON package_events (company_id, redemption_id, type)
  WHERE redemption_id IS NOT NULL;

CREATE TABLE idempotency_keys (
  company_id       TEXT     NOT NULL,
  idempotency_key  TEXT     NOT NULL,
  operation        TEXT     NOT NULL,
  request_hash     TEXT     NOT NULL,
  response_status  INTEGER  NOT NULL,
  response_body    TEXT     NOT NULL,
  created_at       BIGINT   NOT NULL,
  PRIMARY KEY (company_id, idempotency_key)
);
