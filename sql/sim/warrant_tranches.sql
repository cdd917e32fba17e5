-- The tranches of the warrants OpenAI holds, one row per tranche and measure (shares_m,
-- gw_condition, price_condition_usd, strike_usd): the value from mart.warrant_tranches (the rows
-- that make up each warrant once) and, for its provenance, the raw.deal_terms row it rests on (the
-- tranche's own term, else the warrant's 'total' term, as the mart does for the strike). A warrant
-- without GW and price conditions per tranche (Cerebras: a stake only) cannot vest in the model;
-- the simulation lists it as not modelled.
WITH tranches AS (
    SELECT deal_id, issuer, tranche, tranche_no, shares_m, deployment_condition_gw AS gw_condition,
           price_condition_usd, strike_usd, array_to_string(source_urls, ' ') AS mart_sources
    FROM mart.warrant_tranches
    WHERE holder = 'OpenAI' AND counts_in_totals
),
measures AS (  -- one row per tranche and measure, unknown measures kept as NULL
    SELECT * FROM tranches
    UNPIVOT INCLUDE NULLS (value FOR measure IN (shares_m, gw_condition, price_condition_usd, strike_usd))
),
terms AS (
    SELECT * FROM raw.deal_terms WHERE term_type = 'warrant_tranche'
)
SELECT
    m.deal_id,
    m.issuer,
    m.tranche,
    m.measure,
    m.value,
    coalesce(own.basis, total.basis) AS basis,
    coalesce(own.rule, total.rule) AS rule,
    coalesce(own.source_url, total.source_url, m.mart_sources) AS source_url,
    coalesce(own.source_document, total.source_document) AS source_document,
    coalesce(own.source_date, total.source_date) AS source_date
FROM measures m
LEFT JOIN terms own ON own.deal_id = m.deal_id AND own.item = m.tranche AND own.unit = m.measure
LEFT JOIN terms total ON total.deal_id = m.deal_id AND total.item = 'total' AND total.unit = m.measure
ORDER BY m.deal_id, m.tranche_no NULLS LAST, m.tranche,
         list_position(['shares_m', 'gw_condition', 'price_condition_usd', 'strike_usd'], m.measure);
