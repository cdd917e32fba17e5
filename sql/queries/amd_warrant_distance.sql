-- AMD's distance to the conditions of the warrant it gave OpenAI (AMD-OAI-2025-10-WARRANT), at
-- AMD's latest close: per tranche the GW and share-price conditions (only tranche 1's 1 GW, the
-- 6 GW and the final 600 USD are stated; the rest are the registry's labelled assumptions), the GW
-- delivered so far, whether each condition is met, the rise still needed (negative = above it),
-- and the value split into vested (conditions met) and unvested intrinsic value (as if vested).
SELECT
    tranche,
    round(shares_m, 2) AS shares_m,
    deployment_condition_gw,
    gw_delivered,
    price_condition_usd,
    assumed_terms,
    latest_close_date,
    latest_close,
    deployment_condition_met,
    price_condition_met,
    distance_to_price_condition_return AS distance_return,
    vested,
    vested_value_usd_bn,
    unvested_intrinsic_value_usd_bn
FROM mart.warrant_tranches
WHERE deal_id = 'AMD-OAI-2025-10-WARRANT'
ORDER BY tranche_no;
