-- The one package query judges an expiration date in each package's own time zone. A company's distinct
-- zones are found by walking this index with a recursive query (a skip scan: one seek per zone, on both
-- engines); the expiring window is then one end_time range per zone, each a range of the same index.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL.

CREATE INDEX packages_by_zone_end ON packages (company_id, time_zone, end_time);
