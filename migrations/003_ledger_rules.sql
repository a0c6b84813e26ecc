-- Rules with one home: what the domain derives from a package's state is kept beside it, so that the one
-- package query can filter and page in the database; breakage and free units get columns of their own.

-- The change of breakage (value expired unused) an event caused: EXPIRED moves outstanding value into it,
-- a revival, a late use or a refund of an expired package takes value out of it.
ALTER TABLE package_events ADD COLUMN breakage_delta_minor BIGINT NOT NULL DEFAULT 0;
UPDATE package_events SET breakage_delta_minor = -value_delta_minor WHERE type IN ('EXPIRED', 'EXTENDED');

-- Units added by adjustments carry no value; these are the ones still counted in total.
ALTER TABLE package_items ADD COLUMN free INTEGER NOT NULL DEFAULT 0 CHECK (free >= 0);

-- An extension made during a freeze: ending the freeze never brings end_time before it.
ALTER TABLE packages ADD COLUMN freeze_keep_end_time BIGINT;
-- Derived from the state in the business's calendar (written with it; filled for older rows at start):
-- when redemption stops (null: never), and the freeze's first and last instants.
ALTER TABLE packages ADD COLUMN grace_end_time BIGINT;
ALTER TABLE packages ADD COLUMN freeze_start_time BIGINT;
ALTER TABLE packages ADD COLUMN freeze_end_time BIGINT;
-- Units left or held over all items (0: fully redeemed), and service units left to redeem.
ALTER TABLE packages ADD COLUMN units_left INTEGER NOT NULL DEFAULT 0;
ALTER TABLE packages ADD COLUMN service_units_left INTEGER NOT NULL DEFAULT 0;
UPDATE packages SET
  units_left = (SELECT COALESCE(SUM(i.remaining + i.held), 0) FROM package_items i
                WHERE i.company_id = packages.company_id AND i.package_id = packages.package_id),
  service_units_left = (SELECT COALESCE(SUM(i.remaining), 0) FROM package_items i
                WHERE i.company_id = packages.company_id AND i.package_id = packages.package_id AND i.kind = 'SERVICE');

CREATE INDEX packages_by_grace_end ON packages (company_id, grace_end_time);
