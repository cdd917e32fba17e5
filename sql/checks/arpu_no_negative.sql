-- Asset check on mart.arpu (no rows = pass): no ARPU, revenue or user count is negative or zero
-- where given (a zero user count would have made the ARPU infinite).
SELECT period, source, arpu_kind, user_basis, arpu_usd, revenue_usd_bn, users_m
FROM mart.arpu
WHERE arpu_usd IS NULL OR arpu_usd < 0 OR revenue_usd_bn < 0 OR users_m <= 0 OR NOT isfinite(arpu_usd)
ORDER BY period, source;
