-- Asset check on mart.vendor_financing (no rows = pass): no negative amount or ratio, the
-- financing total is its parts (equity + per-GW investment received + warrant value vested; each
-- rounded to 0.01 bn, so the parts may differ from the total by the rounding), and unvested or
-- expected warrant value never enters it.
SELECT supplier, customer, equity_usd_bn, per_gw_investment_received_usd_bn, warrant_vested_usd_bn,
       warrant_unvested_intrinsic_usd_bn, backstop_usd_bn, financing_usd_bn, commitments_usd_bn, round_trip_ratio
FROM mart.vendor_financing
WHERE equity_usd_bn < 0 OR per_gw_investment_received_usd_bn < 0 OR warrant_vested_usd_bn < 0
   OR warrant_unvested_intrinsic_usd_bn < 0 OR backstop_usd_bn < 0 OR financing_usd_bn < 0
   OR commitments_usd_bn < 0 OR round_trip_ratio < 0
   OR abs(financing_usd_bn - (coalesce(equity_usd_bn, 0) + coalesce(per_gw_investment_received_usd_bn, 0)
                              + coalesce(warrant_vested_usd_bn, 0))) > 0.015
ORDER BY supplier, customer;
