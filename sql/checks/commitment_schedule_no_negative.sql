-- Asset check on mart.commitment_schedule (no rows = pass): no committed, overlapping, revenue or
-- target amount is negative.
SELECT calendar_year, counterparty, committed_usd_bn, overlapping_usd_bn, year_committed_usd_bn, revenue_usd_bn, revenue_target_usd_bn
FROM mart.commitment_schedule
WHERE least(*COLUMNS('_usd_bn$')) < 0
ORDER BY calendar_year, counterparty;
