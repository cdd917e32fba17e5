-- AMD's distance to the price thresholds of the warrant it gave OpenAI (AMD-OAI-2025-10-WARRANT),
-- at AMD's latest close: per tranche the GW and share-price conditions (only tranche 1's 1 GW, the
-- 6 GW and the final 600 USD are stated; the rest are the registry's labelled assumptions), whether
-- the price condition is met, the rise still needed (negative = above it) and the intrinsic value
-- shares x (close - strike) in USD bn as if vested.
SELECT
    tranche,
    round(shares_m, 2) AS shares_m,
    deployment_condition_gw,
    price_condition_usd,
    assumed_terms,
    latest_close_date,
    latest_close,
    price_condition_met,
    round(distance_to_price_condition_return, 4) AS distance_return,
    round(intrinsic_value_usd_bn, 2) AS intrinsic_value_usd_bn
FROM mart.warrant_tranches
WHERE deal_id = 'AMD-OAI-2025-10-WARRANT'
ORDER BY tranche_no;
