-- Tenants, keys and reference data. Portable SQL: runs unchanged on SQLite and PostgreSQL.
-- Times are epoch milliseconds (BIGINT), money integer minor units with its currency, flags 0/1, lists JSON text.
-- Every key and index leads with company_id.

CREATE TABLE companies (
  company_id  TEXT    NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL,
  updated_at  BIGINT  NOT NULL
);

CREATE TABLE api_keys (
  company_id    TEXT    NOT NULL REFERENCES companies (company_id),
  key_id        TEXT    NOT NULL,
  key_hash      TEXT    NOT NULL,
  prefix        TEXT    NOT NULL,
  role          TEXT    NOT NULL CHECK (role IN ('ADMIN', 'STAFF', 'VIEWER')),
  business_ids  TEXT    NOT NULL DEFAULT '[]',
  created_at    BIGINT  NOT NULL,
  revoked_at    BIGINT,
  PRIMARY KEY (company_id, key_id)
);
CREATE UNIQUE INDEX api_keys_by_hash ON api_keys (company_id, key_hash);

CREATE TABLE businesses (
  company_id     TEXT    NOT NULL REFERENCES companies (company_id),
  business_id    TEXT    NOT NULL,
  name           TEXT    NOT NULL,
  time_zone      TEXT    NOT NULL,
  currency_code  TEXT    NOT NULL,
  created_at     BIGINT  NOT NULL,
  updated_at     BIGINT  NOT NULL,
  PRIMARY KEY (company_id, business_id)
);

CREATE TABLE customers (
  company_id   TEXT    NOT NULL REFERENCES companies (company_id),
  customer_id  TEXT    NOT NULL,
  first_name   TEXT    NOT NULL,
  last_name    TEXT    NOT NULL,
  email        TEXT,
  phone        TEXT,
  -- lower-cased "first last email phone-digits", for the front desk's search-as-you-type
  search_text  TEXT    NOT NULL,
  created_at   BIGINT  NOT NULL,
  updated_at   BIGINT  NOT NULL,
  PRIMARY KEY (company_id, customer_id)
);

CREATE TABLE staff (
  company_id  TEXT    NOT NULL REFERENCES companies (company_id),
  staff_id    TEXT    NOT NULL,
  first_name  TEXT    NOT NULL,
  last_name   TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL,
  updated_at  BIGINT  NOT NULL,
  PRIMARY KEY (company_id, staff_id)
);

CREATE TABLE services (
  company_id        TEXT     NOT NULL REFERENCES companies (company_id),
  service_id        TEXT     NOT NULL,
  name              TEXT     NOT NULL,
  duration_minutes  INTEGER  NOT NULL,
  price_currency    TEXT     NOT NULL,
  price_minor       BIGINT   NOT NULL,
  business_ids      TEXT     NOT NULL DEFAULT '[]',
  created_at        BIGINT   NOT NULL,
  updated_at        BIGINT   NOT NULL,
  PRIMARY KEY (company_id, service_id)
);

CREATE TABLE products (
  company_id      TEXT    NOT NULL REFERENCES companies (company_id),
  product_id      TEXT    NOT NULL,
  name            TEXT    NOT NULL,
  price_currency  TEXT    NOT NULL,
  price_minor     BIGINT  NOT NULL,
  business_ids    TEXT    NOT NULL DEFAULT '[]',
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL,
  PRIMARY KEY (company_id, product_id)
);
