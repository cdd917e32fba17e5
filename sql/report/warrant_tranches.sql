-- Warrant status for the report: every tranche with its conditions, which terms are assumptions,
-- where the issuer's latest close stands, the GW delivered, and whether the tranche has vested.
SELECT
    deal_id,
    issuer,
    holder,
    tranche,
    shares_m,
    deployment_condition_gw,
    price_condition_usd,
    strike_usd,
    basis,
    array_to_string(assumed_terms, ', ') AS assumed_terms,
    latest_close_date,
    latest_close,
    currency,
    price_condition_met,
    distance_to_price_condition_return,
    intrinsic_value_usd_bn,
    gw_delivered,
    vested,
    vested_value_usd_bn,
    unvested_intrinsic_value_usd_bn,
    counts_in_totals
FROM mart.warrant_tranches
ORDER BY deal_id, tranche_no NULLS LAST, tranche;
