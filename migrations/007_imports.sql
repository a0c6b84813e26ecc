-- Imports: a package brought from another system keeps the id it had there, once per company (the import is
-- idempotent by it). NULL for packages sold here; both engines let NULLs repeat under a unique index.
ALTER TABLE packages ADD COLUMN source_id TEXT;
CREATE UNIQUE INDEX packages_source_id ON packages (company_id, source_id);
