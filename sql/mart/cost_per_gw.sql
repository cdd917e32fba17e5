-- mart.cost_per_gw: what a gigawatt of AI data centre costs, and who pays for it. One row per
--   'estimate'   an estimate of the all-in cost per GW (estimates.csv cost_per_gw*, metrics.csv
--                cost_per_gw), flagged ones included but never used;
--   'deal'       a deal of core.deal_flows with both an amount and a capacity:
--                usd_bn_per_gw = amount_usd_bn / capacity_gw;
--   'component'  a part of one GW's cost: a supplier's hardware per GW (estimates
--                <supplier>_content_per_gw), the supplier's own money that comes back to the buyer
--                per GW deployed (deal_terms per_gw_investment), and what the supplier keeps.
-- Every row is set against the reference all-in cost per GW: of_ref_{low,mid,high}_share =
-- usd_bn_per_gw / the reference's low, mid or high end (above 1 when a deal costs more per GW).
--
-- The reference (modelling rule, the registry marks no reference row): among the non-flagged
-- cost_per_gw_all_in estimates that state a range (low and high), the range stated by the most
-- sources (ties: the most recent source, then the lower range); mid = (low + high) / 2. Estimates
-- whose value (and range) lie inside it are its supporting sources (in_reference).
--
-- Flagged figures (note starting 'FLAGGED:', e.g. the seed article's factor-10 slip "5-6 bn per
-- GW") are listed with flagged = true and never used: no shares, not in the reference. The check
-- sql/checks/cost_per_gw_flagged_unused.sql holds this.
CREATE OR REPLACE TABLE mart.cost_per_gw AS
WITH estimates AS (
    SELECT
        estimate_id AS id, item, subject, period, value, low, high, source_publisher,
        coalesce(source_url, source_document) AS source_key, source_date, note,
        coalesce(note ILIKE 'FLAGGED:%', false) AS flagged,
        coalesce(note ILIKE '%lower bound%', false) AS lower_bound
    FROM raw.reference_estimates
    WHERE unit = 'USD bn per GW'
),
metric_figures AS (  -- per-GW figures in metrics.csv
    SELECT
        metric_id AS id, metric AS item, period, value, source_publisher,
        coalesce(source_url, source_document) AS source_key, note,
        coalesce(note ILIKE 'FLAGGED:%', false) AS flagged
    FROM raw.openai_metrics
    WHERE unit = 'USD bn per GW'
),
ranges AS (
    SELECT low, high, count(DISTINCT source_key) AS n_sources, max(source_date) AS latest
    FROM estimates
    WHERE item = 'cost_per_gw_all_in' AND NOT flagged AND low IS NOT NULL AND high IS NOT NULL
    GROUP BY low, high
),
reference AS (
    SELECT low AS ref_low, (low + high) / 2 AS ref_mid, high AS ref_high
    FROM ranges
    ORDER BY n_sources DESC, latest DESC, low, high
    LIMIT 1
),
estimate_rows AS (
    SELECT
        'estimate' AS row_kind,
        e.item,
        NULL AS deal_id,
        NULL AS payer,
        NULL AS payee,
        NULL::DOUBLE AS amount_usd_bn,
        NULL::DOUBLE AS capacity_gw,
        e.value AS usd_bn_per_gw,
        e.low AS low_usd_bn_per_gw,
        e.high AS high_usd_bn_per_gw,
        NULL::DOUBLE AS of_supplier_hardware_share,
        coalesce(e.item = 'cost_per_gw_all_in' AND NOT e.flagged
            AND e.value BETWEEN r.ref_low AND r.ref_high
            AND coalesce(e.low, e.value) >= r.ref_low AND coalesce(e.high, e.value) <= r.ref_high, false) AS in_reference,
        e.flagged,
        'reported' AS basis,
        'as estimated by the source (' || e.subject || ', ' || e.period || ')'
            || CASE WHEN e.lower_bound THEN '; a lower bound' ELSE '' END AS rule,
        e.note,
        [e.id] AS source_ids,
        [e.source_key] AS sources
    FROM estimates e
    LEFT JOIN reference r ON true
    WHERE e.item LIKE 'cost_per_gw%'
    UNION ALL
    SELECT
        'estimate', m.item, NULL, NULL, NULL, NULL, NULL, m.value, NULL, NULL, NULL,
        false, m.flagged, 'reported',
        'as printed by the source (' || m.period || ')',
        m.note, [m.id], [m.source_key]
    FROM metric_figures m
    WHERE m.item LIKE 'cost_per_gw%'
),
deal_rows AS (
    SELECT
        'deal' AS row_kind,
        f.kind AS item,
        f.deal_id,
        f.payer,
        f.payee,
        f.amount_usd_bn,
        f.capacity_gw,
        f.amount_usd_bn / f.capacity_gw AS usd_bn_per_gw,
        NULL::DOUBLE, NULL::DOUBLE, NULL::DOUBLE,
        false, false,
        'derived',
        'amount_usd_bn / capacity_gw of the deal',
        concat_ws('; ',
            'amount ' || f.amount_basis,
            CASE WHEN f.overlap_group IS NOT NULL
                 THEN 'overlap group ' || f.overlap_group || CASE WHEN f.counts_in_totals THEN ' (counted)' ELSE ' (not counted in totals)' END
            END,
            f.confidence),
        [f.deal_id],
        [coalesce(f.source_url, f.source_document)]
    FROM core.deal_flows f
    WHERE f.amount_usd_bn IS NOT NULL AND f.capacity_gw > 0
),
hardware AS (  -- a supplier's content per GW: median of its non-flagged estimates
    SELECT
        c.company AS supplier,
        e.item,
        median(e.value) AS usd_bn_per_gw,
        count(*) AS n,
        list(e.id ORDER BY e.id) AS source_ids,
        list(DISTINCT e.source_key ORDER BY e.source_key) AS sources
    FROM estimates e
    JOIN core.companies c ON lower(c.company) = regexp_extract(e.item, '^(.+)_content_per_gw$', 1)
    WHERE NOT e.flagged
    GROUP BY c.company, e.item
),
investment AS (  -- a supplier's own money per GW deployed, from the deal terms
    SELECT
        f.payer AS supplier,
        f.payee AS buyer,
        t.deal_id,
        t.value AS usd_bn_per_gw,
        CASE t.basis WHEN 'stated' THEN 'reported' ELSE t.basis END AS basis,
        t.rule,
        concat_ws('; ', t.note, 'deal ' || f.confidence,
            CASE WHEN NOT f.counts_in_totals THEN 'deal not counted in totals (overlap group ' || f.overlap_group || ')' END) AS note,
        list_concat([t.deal_id, t.loaded_from],
            coalesce((SELECT list(m.id ORDER BY m.id) FROM metric_figures m
                      WHERE NOT m.flagged AND m.value = t.value
                        AND m.item = lower(f.payer) || '_investment_per_gw'), [])) AS source_ids,
        list_sort(list_distinct(list_concat([coalesce(t.source_url, t.source_document)],
            coalesce((SELECT list(m.source_key) FROM metric_figures m
                      WHERE NOT m.flagged AND m.value = t.value
                        AND m.item = lower(f.payer) || '_investment_per_gw'), [])))) AS sources
    FROM raw.deal_terms t
    JOIN core.deal_flows f USING (deal_id)
    WHERE t.term_type = 'per_gw_investment' AND t.unit = 'USD bn per GW'
),
component_rows AS (
    SELECT
        'component' AS row_kind,
        'supplier_hardware' AS item,
        NULL AS deal_id,
        NULL AS payer,
        h.supplier AS payee,
        NULL::DOUBLE, NULL::DOUBLE,
        h.usd_bn_per_gw,
        NULL::DOUBLE, NULL::DOUBLE,
        1.0::DOUBLE AS of_supplier_hardware_share,
        false, false,
        'reported',
        'median of ' || h.n || ' estimate(s) of ' || h.item,
        'what the buyer of one GW pays ' || h.supplier || ' for its chips and systems',
        h.source_ids,
        h.sources
    FROM hardware h
    UNION ALL
    SELECT
        'component', 'supplier_investment_returned', i.deal_id, i.supplier, i.buyer, NULL, NULL,
        i.usd_bn_per_gw, NULL, NULL,
        i.usd_bn_per_gw / h.usd_bn_per_gw,
        false, false, i.basis, i.rule,
        'the supplier''s own money that comes back to the buyer per GW deployed; ' || i.note,
        i.source_ids, i.sources
    FROM investment i
    LEFT JOIN hardware h USING (supplier)
    UNION ALL
    SELECT
        'component', 'supplier_hardware_net_of_investment', i.deal_id, NULL, h.supplier, NULL, NULL,
        h.usd_bn_per_gw - i.usd_bn_per_gw, NULL, NULL,
        (h.usd_bn_per_gw - i.usd_bn_per_gw) / h.usd_bn_per_gw,
        false, false, 'derived',
        'supplier_hardware - supplier_investment_returned',
        'what the supplier keeps per GW once its own investment is netted out',
        list_concat(h.source_ids, i.source_ids),
        list_sort(list_distinct(list_concat(h.sources, i.sources)))
    FROM investment i
    JOIN hardware h USING (supplier)
),
all_rows AS (
    SELECT * FROM estimate_rows
    UNION ALL SELECT * FROM deal_rows
    UNION ALL SELECT * FROM component_rows
)
SELECT
    a.row_kind,
    a.item,
    a.deal_id,
    a.payer,
    a.payee,
    a.amount_usd_bn,
    a.capacity_gw,
    a.usd_bn_per_gw,
    a.low_usd_bn_per_gw,
    a.high_usd_bn_per_gw,
    r.ref_low AS ref_low_usd_bn_per_gw,
    r.ref_mid AS ref_mid_usd_bn_per_gw,
    r.ref_high AS ref_high_usd_bn_per_gw,
    CASE WHEN NOT a.flagged THEN a.usd_bn_per_gw / r.ref_low END AS of_ref_low_share,
    CASE WHEN NOT a.flagged THEN a.usd_bn_per_gw / r.ref_mid END AS of_ref_mid_share,
    CASE WHEN NOT a.flagged THEN a.usd_bn_per_gw / r.ref_high END AS of_ref_high_share,
    a.of_supplier_hardware_share,
    a.in_reference,
    a.flagged,
    a.basis,
    a.rule,
    a.note,
    a.source_ids,
    a.sources
FROM all_rows a
LEFT JOIN reference r ON true
ORDER BY
    CASE a.row_kind WHEN 'estimate' THEN 1 WHEN 'component' THEN 2 ELSE 3 END,
    a.flagged, a.item, a.deal_id, a.usd_bn_per_gw DESC;
