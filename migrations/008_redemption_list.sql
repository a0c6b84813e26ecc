-- The company's redemption list (GET …/redemptions): by redeem time, newest or oldest first, the id breaking
-- ties, so keyset pages read an index range; one leads with the business for the front desk's own list (and a
-- key limited to some businesses). Pending holds by expiry use redemptions_pending_holds (002).
CREATE INDEX redemptions_by_time ON redemptions (company_id, redeem_time, redemption_id);
CREATE INDEX redemptions_by_business_time ON redemptions (company_id, business_id, redeem_time, redemption_id);
