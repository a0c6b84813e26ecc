-- Services and products are archived (taken out of the catalog) and restored as templates are: an archived one
-- is left out of lists and is not put into templates; packages already sold keep redeeming it.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL. Rows from before stay in the catalog (NULL).
-- No index of its own: the lists walk the primary key (company_id, id) and skip the archived rows.

ALTER TABLE services ADD COLUMN archived_at BIGINT;
ALTER TABLE products ADD COLUMN archived_at BIGINT;
