-- mart.cost_per_gw: what a gigawatt of AI data centre costs, and who pays for it. One row per
--   'estimate'   an estimate of the all-in cost per GW (estimates.csv cost_per_gw*, metrics.csv
--                cost_per_gw), flagged ones included but never used;
--   'deal'       a deal of core.deal_flows with both an amount and a capacity that buys or builds
--                compute, by cost_kind (equity, warrants, guarantees and purchases of OpenAI's
--                services never enter cost per GW: they buy a stake or a service, not a GW):
--                  capex   chips and systems (deal_type chip_supply) and the financing of sites
--                          (financing: project capital, bonds for a campus of stated GW): what
--                          building the GW costs,
--                          capex_usd_bn_per_gw = usd_bn_per_gw = amount_usd_bn / capacity_gw;
--                  rental  cloud contracts and compute bought as a service (cloud_contract,
--                          compute_purchase): rental_usd_bn_per_gw_term = amount / GW over the
--                          term, rental_usd_bn_per_gw_year = that / rental_term_years. The term is
--                          the number of years with payment terms in raw.deal_terms (Oracle: 5,
--                          2027-2031), else start_period..end_period in months / 12, else unknown
--                          (per year null). A rental is not the capex of a GW: usd_bn_per_gw and the
--                          shares of the reference stay null for it.
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
        [e.source_key] AS sources,
        'capex' AS cost_kind,
        NULL::DOUBLE AS term_years
    FROM estimates e
    LEFT JOIN reference r ON true
    WHERE e.item LIKE 'cost_per_gw%'
    UNION ALL
    SELECT
        'estimate', m.item, NULL, NULL, NULL, NULL, NULL, m.value, NULL, NULL, NULL,
        false, m.flagged, 'reported',
        'as printed by the source (' || m.period || ')',
        m.note, [m.id], [m.source_key], 'capex', NULL
    FROM metric_figures m
    WHERE m.item LIKE 'cost_per_gw%'
),
deal_kinds AS (
    SELECT
        f.*,
        CASE WHEN d.deal_type IN ('chip_supply', 'financing') THEN 'capex' ELSE 'rental' END AS cost_kind,
        coalesce(
            (SELECT count(DISTINCT period_year(t.period)) FROM raw.deal_terms t
             WHERE t.deal_id = f.deal_id AND t.term_type = 'payment_schedule' AND t.unit = 'USD bn' HAVING count(*) > 0),
            datediff('month', period_start(f.start_period), period_end(f.end_period) + INTERVAL 1 DAY) / 12
        )::DOUBLE AS term_years
    FROM core.deal_flows f
    JOIN raw.deals d USING (deal_id)
    WHERE d.deal_type IN ('chip_supply', 'financing', 'cloud_contract', 'compute_purchase')
      AND f.amount_usd_bn IS NOT NULL AND f.capacity_gw > 0
),
deal_rows AS (
    SELECT
        'deal' AS row_kind,
        f.cost_kind || ' (' || f.kind || ')' AS item,
        f.deal_id,
        f.payer,
        f.payee,
        f.amount_usd_bn,
        f.capacity_gw,
        CASE WHEN f.cost_kind = 'capex' THEN f.amount_usd_bn / f.capacity_gw END AS usd_bn_per_gw,
        NULL::DOUBLE, NULL::DOUBLE, NULL::DOUBLE,
        false, false,
        'derived',
        CASE WHEN f.cost_kind = 'capex' THEN 'amount_usd_bn / capacity_gw of the deal (chips and systems)'
             ELSE 'rental: amount_usd_bn / capacity_gw over the term' || coalesce(' of ' || f.term_years || ' years, / term for a year', ' (term unknown)') END,
        concat_ws('; ',
            'amount ' || f.amount_basis,
            CASE WHEN f.overlap_group IS NOT NULL
                 THEN 'overlap group ' || f.overlap_group || CASE WHEN f.counts_in_totals THEN ' (counted)' ELSE ' (not counted in totals)' END
            END,
            f.confidence),
        [f.deal_id],
        [coalesce(f.source_url, f.source_document)],
        f.cost_kind,
        f.term_years
    FROM deal_kinds f
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
        h.sources,
        'capex',
        NULL
    FROM hardware h
    UNION ALL
    SELECT
        'component', 'supplier_investment_returned', i.deal_id, i.supplier, i.buyer, NULL, NULL,
        i.usd_bn_per_gw, NULL, NULL,
        i.usd_bn_per_gw / h.usd_bn_per_gw,
        false, false, i.basis, i.rule,
        'the supplier''s own money that comes back to the buyer per GW deployed; ' || i.note,
        i.source_ids, i.sources, NULL, NULL
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
        list_sort(list_distinct(list_concat(h.sources, i.sources))),
        'capex',
        NULL
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
    a.cost_kind,
    round(a.usd_bn_per_gw, 2) AS usd_bn_per_gw,
    round(CASE WHEN a.cost_kind = 'capex' AND a.row_kind = 'deal' THEN a.usd_bn_per_gw END, 2) AS capex_usd_bn_per_gw,
    round(CASE WHEN a.cost_kind = 'rental' THEN a.amount_usd_bn / a.capacity_gw END, 2) AS rental_usd_bn_per_gw_term,
    round(CASE WHEN a.cost_kind = 'rental' THEN a.amount_usd_bn / a.capacity_gw / a.term_years END, 2) AS rental_usd_bn_per_gw_year,
    a.term_years AS rental_term_years,
    a.low_usd_bn_per_gw,
    a.high_usd_bn_per_gw,
    r.ref_low AS ref_low_usd_bn_per_gw,
    r.ref_mid AS ref_mid_usd_bn_per_gw,
    r.ref_high AS ref_high_usd_bn_per_gw,
    CASE WHEN NOT a.flagged THEN round(a.usd_bn_per_gw / r.ref_low, 4) END AS of_ref_low_share,
    CASE WHEN NOT a.flagged THEN round(a.usd_bn_per_gw / r.ref_mid, 4) END AS of_ref_mid_share,
    CASE WHEN NOT a.flagged THEN round(a.usd_bn_per_gw / r.ref_high, 4) END AS of_ref_high_share,
    round(a.of_supplier_hardware_share, 4) AS of_supplier_hardware_share,
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
