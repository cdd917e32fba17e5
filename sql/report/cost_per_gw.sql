-- Cost per GW for the chart and the report's table: every row of mart.cost_per_gw with a readable
-- label (estimates: the estimate's subject and publisher; deals: deal id and flow; components: the
-- component and its supplier), the estimate's stated range and the reference band. Flagged rows are
-- kept here (the report lists them); the chart leaves them out.
WITH first_source AS (
    SELECT m.*, m.source_ids[1] AS first_id FROM mart.cost_per_gw AS m
)
SELECT
    f.row_kind,
    CASE f.row_kind
        WHEN 'estimate' THEN coalesce(e.subject, mt.metric, f.item) || ' — ' || coalesce(e.source_publisher, mt.source_publisher, '?')
        WHEN 'deal' THEN f.deal_id || ' (' || f.payer || ' -> ' || f.payee || ')'
        ELSE replace(f.item, '_', ' ') || coalesce(' (' || CASE WHEN f.item = 'supplier_hardware' THEN f.payee ELSE f.payer END || ')', '')
    END AS label,
    f.item,
    f.deal_id,
    f.usd_bn_per_gw,
    f.low_usd_bn_per_gw,
    f.high_usd_bn_per_gw,
    f.ref_low_usd_bn_per_gw,
    f.ref_mid_usd_bn_per_gw,
    f.ref_high_usd_bn_per_gw,
    f.of_ref_mid_share,
    f.in_reference,
    f.flagged,
    f.basis,
    f.note
FROM first_source AS f
LEFT JOIN raw.reference_estimates AS e ON e.estimate_id = f.first_id
LEFT JOIN raw.openai_metrics AS mt ON mt.metric_id = f.first_id
ORDER BY CASE f.row_kind WHEN 'estimate' THEN 1 WHEN 'deal' THEN 2 ELSE 3 END, f.flagged, f.usd_bn_per_gw DESC, label;
