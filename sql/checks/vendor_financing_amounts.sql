-- Asset check on mart.vendor_financing (no rows = pass): no negative amount or ratio, and the
-- financing total is its parts.
SELECT supplier, customer, equity_usd_bn, warrant_value_usd_bn, backstop_usd_bn, financing_usd_bn,
       commitments_usd_bn, round_trip_ratio
FROM mart.vendor_financing
WHERE equity_usd_bn < 0 OR warrant_value_usd_bn < 0 OR backstop_usd_bn < 0 OR financing_usd_bn < 0
   OR commitments_usd_bn < 0 OR round_trip_ratio < 0
   OR abs(financing_usd_bn - (coalesce(equity_usd_bn, 0) + coalesce(warrant_value_usd_bn, 0) + coalesce(backstop_usd_bn, 0))) > 1e-9
ORDER BY supplier, customer;
