-- A package's redemptions of one status in id order (its pending holds, read by every change to the package):
-- without the id in this index SQLite's planner walked the primary key of the whole company to skip the sort,
-- so every change grew slower with the company's redemptions. This one answers the filter and the order alone.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL. It replaces redemptions_by_package, its prefix.

CREATE INDEX redemptions_by_package_status ON redemptions (company_id, package_id, status, redemption_id);
DROP INDEX redemptions_by_package;
