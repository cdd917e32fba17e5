-- Asset check on mart.warrant_tranches (no rows = pass): no negative shares, condition, strike or
-- value, and a price condition is met exactly when the latest close reaches it.
SELECT deal_id, tranche, shares_m, price_condition_usd, strike_usd, latest_close, price_condition_met, intrinsic_value_usd_bn
FROM mart.warrant_tranches
WHERE shares_m < 0 OR total_shares_m < 0 OR deployment_condition_gw < 0 OR price_condition_usd < 0
   OR strike_usd < 0 OR intrinsic_value_usd_bn < 0
   OR price_condition_met <> (latest_close >= price_condition_usd)
ORDER BY deal_id, tranche;
