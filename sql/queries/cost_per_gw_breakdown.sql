-- What does one GW cost, and how much of it does the supplier pay back? The reference all-in
-- cost per GW (low / mid / high), the deals with an amount and a capacity by kind — capex (chips
-- and systems: amount / GW) apart from rentals (cloud contracts: per GW over the term and per GW
-- per year; Oracle's 300 bn for 4.5 GW over 5 years) — and the per-GW components: NVIDIA's
-- hardware and the investment NVIDIA puts back into OpenAI per GW, each as a share of the
-- reference. Equity never enters cost per GW. Flagged figures are listed and never used.
SELECT
    row_kind,
    cost_kind,
    CASE row_kind WHEN 'deal' THEN deal_id ELSE item END AS what,
    concat_ws(' -> ', payer, payee) AS flow,
    usd_bn_per_gw AS capex_usd_bn_per_gw,
    rental_usd_bn_per_gw_term,
    rental_usd_bn_per_gw_year,
    rental_term_years,
    round(of_ref_mid_share, 3) AS of_mid_share,
    round(of_supplier_hardware_share, 3) AS of_hardware_share,
    flagged,
    array_to_string(source_ids[1:3], ', ') AS source_ids
FROM mart.cost_per_gw
WHERE row_kind <> 'estimate' OR flagged OR in_reference
ORDER BY CASE row_kind WHEN 'estimate' THEN 1 WHEN 'component' THEN 2 ELSE 3 END, flagged, cost_kind, usd_bn_per_gw DESC, what;
