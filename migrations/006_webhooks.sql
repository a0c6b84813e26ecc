-- Webhooks: endpoints, the outbox of messages (written in the same transaction as the change they carry), each
-- message's attempts, and the expiring-soon notices already sent. Portable SQL (SQLite and PostgreSQL).

CREATE TABLE webhook_endpoints (
  company_id                  TEXT     NOT NULL REFERENCES companies (company_id),
  endpoint_id                 TEXT     NOT NULL,
  url                         TEXT     NOT NULL,
  -- JSON list of webhook types; empty: all
  event_types                 TEXT     NOT NULL DEFAULT '[]',
  format                      TEXT     NOT NULL CHECK (format IN ('standard', 'zenoti')),
  description                 TEXT     NOT NULL DEFAULT '',
  disabled                    INTEGER  NOT NULL DEFAULT 0,
  secret                      TEXT     NOT NULL,
  -- the secret before the last rotation, still signing until previous_secret_expires_at
  previous_secret             TEXT,
  previous_secret_expires_at  BIGINT,
  -- messages in a row that ended FAILED
  failed_in_a_row             INTEGER  NOT NULL DEFAULT 0,
  created_at                  BIGINT   NOT NULL,
  updated_at                  BIGINT   NOT NULL,
  PRIMARY KEY (company_id, endpoint_id)
);

-- No foreign key to the endpoint: a change must never fail because its endpoint was deleted meanwhile; the
-- dispatcher fails a message whose endpoint is gone, and deleting an endpoint deletes its messages.
CREATE TABLE webhook_messages (
  company_id            TEXT     NOT NULL,
  message_id            TEXT     NOT NULL,
  endpoint_id           TEXT     NOT NULL,
  type                  TEXT     NOT NULL,
  event_id              TEXT,
  package_id            TEXT,
  body                  TEXT     NOT NULL,
  status                TEXT     NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
  -- every attempt, and those since the last redelivery (the retry schedule counts these)
  attempts              INTEGER  NOT NULL DEFAULT 0,
  round_attempts        INTEGER  NOT NULL DEFAULT 0,
  next_attempt_at       BIGINT,
  -- a dispatcher's claim: until then no other process attempts it
  lease_owner           TEXT,
  lease_until           BIGINT,
  last_attempt_at       BIGINT,
  last_response_status  INTEGER  NOT NULL DEFAULT 0,
  created_at            BIGINT   NOT NULL,
  PRIMARY KEY (company_id, message_id)
);
CREATE INDEX webhook_messages_by_endpoint ON webhook_messages (company_id, endpoint_id, message_id);
CREATE INDEX webhook_messages_due ON webhook_messages (company_id, next_attempt_at) WHERE status = 'PENDING';

CREATE TABLE webhook_attempts (
  company_id       TEXT     NOT NULL,
  message_id       TEXT     NOT NULL,
  attempt          INTEGER  NOT NULL,
  time             BIGINT   NOT NULL,
  response_status  INTEGER  NOT NULL,
  duration_ms      INTEGER  NOT NULL,
  error            TEXT     NOT NULL,
  -- the first 1 KB of the answer
  response_body    TEXT     NOT NULL,
  PRIMARY KEY (company_id, message_id, attempt)
);

-- package.expiring_soon is sent once per package and expiration date.
CREATE TABLE expiring_soon_notices (
  company_id       TEXT    NOT NULL,
  package_id       TEXT    NOT NULL,
  expiration_date  TEXT    NOT NULL,
  created_at       BIGINT  NOT NULL,
  PRIMARY KEY (company_id, package_id, expiration_date)
);
