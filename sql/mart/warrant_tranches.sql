-- mart.warrant_tranches: one row per tranche of every warrant in the registry (a warrant flow of
-- core.deal_flows: the issuer gives the holder the value of its shares), valued at the issuer's
-- latest close in core.prices.
--
-- Terms come only from raw.deal_terms rows with term_type 'warrant_tranche', one measure per row
-- (unit shares_m, gw_condition, price_condition_usd, strike_usd, tranche_count, max_stake_share):
--   * every tranche row (item 'tranche_<k>') gives one mart row; the warrant's 'total' rows supply
--     total_shares_m, tranche_count, and the strike where a tranche states none;
--   * the 'total' rows also give a mart row of their own (tranche 'total': the whole warrant)
--     unless the tranche rows split the shares (every tranche row has shares_m): Meta's warrant
--     states only 160 M shares / 6 GW / 600 USD for the whole and 1 GW for tranche 1;
--   * a warrant with no terms at all still gives one row (every term null), so it is not lost.
-- counts_in_totals marks the rows whose shares make up the warrant, once: the tranche rows when
-- they split the shares, else the 'total' row. Sum shares or value only WHERE counts_in_totals.
-- Undisclosed thresholds are the registry's labelled assumption rows (basis 'assumption', note
-- 'ASSUMPTION: ...'); this file holds no threshold. basis is 'assumption' if any of the tranche's
-- own terms is assumed, else 'derived' if any is derived, else 'stated'.
--
-- Valuation at the latest close (traded close, not dividend-adjusted: thresholds and strikes are
-- traded prices). Price conditions and strikes are in USD, so met / distance / intrinsic value are
-- computed only for an issuer listed in USD (null otherwise, and null for private issuers):
--   price_condition_met                 latest_close >= price_condition_usd
--   distance_to_price_condition_return  price_condition_usd / latest_close - 1 (the rise still
--                                       needed; negative = already above)
--   intrinsic_value_usd_bn              shares_m * max(latest_close - strike_usd, 0) / 1000, as if
--                                       the tranche had vested; null when the strike is unknown
--
-- Vesting on the latest data. gw_delivered: the GW the registry records as delivered to the holder
-- by the issuer (raw.deal_terms deployment_window rows with item 'delivered_gw', unit GW, on the
-- holder's purchase deals with the issuer); 0 when none is recorded (no AMD GW has been delivered:
-- the first is due from 2026-H2). deployment_condition_met = gw_delivered >= the tranche's GW
-- condition (true without one); vested = deployment_condition_met and price_condition_met (true
-- without a price condition; null when a condition cannot be judged, e.g. a non-USD listing, or
-- when the registry records no condition at all: Cerebras' warrant grows with spending).
-- vested_value_usd_bn = the intrinsic value of vested tranches (0 otherwise); unvested_intrinsic_
-- value_usd_bn = the intrinsic value of the others, as if they had vested. AMD -> OpenAI and
-- AMD -> Meta: vested 0 until the first GW is delivered.
CREATE OR REPLACE TABLE mart.warrant_tranches AS
WITH warrants AS (
    SELECT f.deal_id, f.payer AS issuer, f.payee AS holder, f.source_url, c.ticker
    FROM core.deal_flows f
    LEFT JOIN core.companies c ON c.company = f.payer
    WHERE f.kind = 'warrant'
),
terms AS (
    SELECT deal_id, item, unit, value, basis, note, source_url
    FROM raw.deal_terms
    WHERE term_type = 'warrant_tranche'
),
totals AS (  -- warrant-level terms
    SELECT
        deal_id,
        max(value) FILTER (unit = 'shares_m') AS total_shares_m,
        max(value) FILTER (unit = 'tranche_count') AS tranche_count,
        max(value) FILTER (unit = 'strike_usd') AS strike_usd,
        any_value(basis) FILTER (unit = 'strike_usd') AS strike_basis
    FROM terms
    WHERE item = 'total'
    GROUP BY deal_id
),
split AS (  -- warrants whose tranche rows split the shares (each tranche row states shares_m)
    SELECT deal_id
    FROM terms
    WHERE item <> 'total'
    GROUP BY deal_id
    HAVING count(DISTINCT item) = count(DISTINCT item) FILTER (unit = 'shares_m')
),
tranche_terms AS (  -- tranche rows, and the 'total' rows unless the tranches split the shares
    SELECT * FROM terms WHERE item <> 'total'
    UNION ALL
    SELECT * FROM terms WHERE item = 'total' AND deal_id NOT IN (SELECT deal_id FROM split)
),
tranches AS (
    SELECT
        deal_id,
        item AS tranche,
        max(value) FILTER (unit = 'shares_m') AS shares_m,
        max(value) FILTER (unit = 'gw_condition') AS deployment_condition_gw,
        max(value) FILTER (unit = 'price_condition_usd') AS price_condition_usd,
        max(value) FILTER (unit = 'strike_usd') AS strike_usd,
        any_value(basis) FILTER (unit = 'strike_usd') AS strike_basis,
        max(value) FILTER (unit = 'max_stake_share') AS max_stake_share,
        CASE WHEN bool_or(basis = 'assumption') THEN 'assumption'
             WHEN bool_or(basis = 'derived') THEN 'derived'
             ELSE 'stated' END AS basis,
        list(DISTINCT unit ORDER BY unit) FILTER (basis = 'assumption') AS assumed_terms,
        string_agg(DISTINCT note, ' | ' ORDER BY note) FILTER (basis = 'assumption') AS assumption_reason,
        list(DISTINCT source_url ORDER BY source_url) FILTER (source_url IS NOT NULL) AS term_source_urls
    FROM tranche_terms
    GROUP BY deal_id, item
),
delivered AS (  -- GW recorded as delivered by the issuer to the holder
    SELECT f.payer AS holder, f.payee AS issuer, sum(t.value) AS gw
    FROM raw.deal_terms t
    JOIN core.deal_flows f USING (deal_id)
    WHERE t.term_type = 'deployment_window' AND t.item = 'delivered_gw' AND t.unit = 'GW'
      AND f.kind = 'purchase_commitment'
    GROUP BY f.payer, f.payee
),
latest AS (
    SELECT ticker, max(trade_date) AS latest_close_date, arg_max(close, trade_date) AS latest_close,
           arg_max(currency, trade_date) AS currency
    FROM core.prices
    GROUP BY ticker
),
joined AS (
    SELECT
        w.deal_id,
        w.issuer,
        w.holder,
        w.ticker,
        t.tranche,
        CASE WHEN t.tranche = 'total' THEN NULL
             ELSE TRY_CAST(regexp_extract(t.tranche, '(\d+)$', 1) AS INTEGER) END AS tranche_no,
        t.shares_m,
        tt.total_shares_m,
        tt.tranche_count::INTEGER AS tranche_count,
        t.deployment_condition_gw,
        t.price_condition_usd,
        coalesce(t.strike_usd, tt.strike_usd) AS strike_usd,
        t.max_stake_share,
        CASE WHEN t.strike_usd IS NULL AND tt.strike_basis = 'assumption' THEN 'assumption'
             ELSE t.basis END AS basis,
        coalesce(t.assumed_terms, []::VARCHAR[]) AS assumed_terms,
        t.assumption_reason,
        l.latest_close_date,
        l.latest_close,
        l.currency,
        l.currency = 'USD' AS usd_listed,
        coalesce(dl.gw, 0) AS gw_delivered,
        CASE WHEN w.deal_id IN (SELECT deal_id FROM split) THEN t.tranche <> 'total'
             ELSE t.tranche IS NULL OR t.tranche = 'total' END AS counts_in_totals,
        list_sort(list_distinct(list_concat([w.source_url], coalesce(t.term_source_urls, []::VARCHAR[])))) AS source_urls
    FROM warrants w
    LEFT JOIN tranches t USING (deal_id)
    LEFT JOIN totals tt USING (deal_id)
    LEFT JOIN latest l ON l.ticker = w.ticker
    LEFT JOIN delivered dl ON dl.holder = w.holder AND dl.issuer = w.issuer
),
valued AS (
    SELECT
        *,
        CASE WHEN usd_listed THEN latest_close >= price_condition_usd END AS price_met,
        CASE WHEN usd_listed THEN shares_m * greatest(latest_close - strike_usd, 0) / 1000 END AS intrinsic,
        coalesce(gw_delivered >= deployment_condition_gw, true) AS gw_met
    FROM joined
),
vesting AS (
    SELECT
        *,
        CASE WHEN deployment_condition_gw IS NULL AND price_condition_usd IS NULL THEN NULL  -- no condition recorded
             WHEN NOT gw_met THEN false
             WHEN price_condition_usd IS NULL THEN true
             ELSE price_met END AS is_vested
    FROM valued
)
SELECT
    deal_id,
    issuer,
    holder,
    ticker,
    tranche,
    tranche_no,
    shares_m,
    total_shares_m,
    tranche_count,
    deployment_condition_gw,
    price_condition_usd,
    strike_usd,
    max_stake_share,
    counts_in_totals,
    basis,
    assumed_terms,
    assumption_reason,
    latest_close_date,
    latest_close,
    currency,
    price_met AS price_condition_met,
    CASE WHEN usd_listed THEN round(price_condition_usd / latest_close - 1, 4) END AS distance_to_price_condition_return,
    round(intrinsic, 2) AS intrinsic_value_usd_bn,
    gw_delivered,
    gw_met AS deployment_condition_met,
    is_vested AS vested,
    round(CASE WHEN is_vested THEN intrinsic WHEN NOT is_vested AND intrinsic IS NOT NULL THEN 0 END, 2) AS vested_value_usd_bn,
    round(CASE WHEN is_vested THEN 0 ELSE intrinsic END, 2) AS unvested_intrinsic_value_usd_bn,
    list_filter(source_urls, lambda u: u IS NOT NULL) AS source_urls
FROM vesting
ORDER BY deal_id, tranche_no NULLS LAST, tranche;
