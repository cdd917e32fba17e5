-- Asset check on mart.revenue_mix (no rows = pass): no amount (columns ending _usd_bn) is negative.
SELECT period, source, total_revenue_usd_bn, personal_usd_bn, enterprise_usd_bn, api_usd_bn, other_usd_bn
FROM mart.revenue_mix
WHERE least(*COLUMNS('_usd_bn$')) < 0
ORDER BY period, source;
