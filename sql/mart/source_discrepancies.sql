-- mart.source_discrepancies: one row per pair of figures for the same thing, from two sources,
-- that disagree beyond the tolerance below. Both values, both sources, the gap and the relative
-- gap are kept: nothing is resolved here. Flagged figures (note starting 'FLAGGED:') never take
-- part. Comparisons (column `comparison`):
--
--   same_figure             two rows of metrics.csv with the same metric and period, or of
--                           estimates.csv with the same item, subject and period, from different
--                           sources (ranges and "more than X" lower bounds count as ranges: they
--                           disagree only if the ranges are apart). Revenue projections only
--                           within one vintage (the note's 'Vintage Q1-2026'): two vintages are
--                           two forecasts.
--   estimate_vs_reference   an all-in cost-per-GW estimate against the reference range of
--                           mart.cost_per_gw (e.g. 20-25 bn against 50-60 bn).
--   overlap_group_schedule  the annual payments of two deals of one overlap group, i.e. two
--                           descriptions of the same money (Oracle's stated ~30 bn a year against
--                           the ~60 bn a year derived from the reported 300 bn), compared per year
--                           where their years overlap.
--   implied_vs_reported     a total revenue derived from the app tracker's figures in
--                           mart.revenue_mix (API revenue / API share: ~0.71 bn for 2025-Q1)
--                           against the reported revenue of the shortest period containing it
--                           (4.3 bn for 2025-H1), compared per month, in two readings side by
--                           side (column reading): the tracker's figure as a figure for its whole
--                           period (0.71 bn for the quarter: 0.24 bn a month, far from 0.72) and
--                           as a MONTHLY figure (0.71 bn a month, which reconciles with 4.3 / 6).
--                           Both readings are listed once either disagrees.
--   press_vs_prices         a share-price move the press printed (estimates.csv
--                           share_price_move_close / _cumulative) against the close-to-close
--                           return over the same sessions in core.prices (close of the last
--                           session before the period to the close of its last session). Beside
--                           it (b_sessions, b_value_one_session_less) the same move over one
--                           session fewer: the seed article's "43 % in four trading days" is
--                           +41.43 % over the four sessions 2025-10-06..09 and +43.05 % over three.
--   flagged_vs_reference    a flagged figure (note 'FLAGGED: ...', never used elsewhere) against
--                           the figure it garbles: a flagged cost per GW against the reference
--                           range of mart.cost_per_gw (the seed article's 5-6 bn against 50-60 bn).
--
-- relative_gap_ratio = |a_comparable - b_comparable| / max(|a_comparable|, |b_comparable|).
-- Values are rounded to 4 decimals.
CREATE OR REPLACE TABLE mart.source_discrepancies AS
WITH params AS (
    -- Modelling choices (no registry row states a tolerance):
    --   money_relative_tolerance: amounts, counts and per-GW figures differing by up to 5 % of the
    --     larger are rounding ("about 13 bn" vs 13.07 bn), not a disagreement;
    --   return_absolute_tolerance: share-price moves are printed rounded to 0.1-1 percentage
    --     point ("about +23 %"), so up to 1 point (0.01) is not a disagreement.
    SELECT 0.05::DOUBLE AS money_relative_tolerance, 0.01::DOUBLE AS return_absolute_tolerance
),
figures AS (  -- every non-flagged figure of metrics.csv and estimates.csv, as a range
    SELECT
        metric_id AS id, 'metric ' || metric AS figure, metric AS measure, NULL AS subject, period, value, unit,
        value AS lo,
        CASE WHEN coalesce(note ILIKE '%lower bound%', false) THEN 'Infinity'::DOUBLE ELSE value END AS hi,
        CASE WHEN reliability = 'third_party_estimate' THEN 'derived' ELSE 'reported' END AS basis,
        source_publisher, coalesce(source_url, source_document) AS source_key, note,
        nullif(regexp_extract(note, 'Vintage (Q[1-4]-\d{4}|\d{4}-H[12])', 1), '') AS vintage
    FROM raw.openai_metrics
    WHERE NOT coalesce(note ILIKE 'FLAGGED:%', false)
    UNION ALL
    SELECT
        estimate_id, 'estimate ' || item || ' (' || subject || ')', item, subject, period, value, unit,
        coalesce(low, value),
        CASE WHEN coalesce(note ILIKE '%lower bound%', false) THEN 'Infinity'::DOUBLE ELSE coalesce(high, value) END,
        'reported', source_publisher, coalesce(source_url, source_document), note, NULL
    FROM raw.reference_estimates
    WHERE NOT coalesce(note ILIKE 'FLAGGED:%', false)
),
same_figure AS (
    SELECT
        'same_figure' AS comparison,
        a.id AS a_key,
        b.id AS b_key,
        a.figure,
        a.unit,
        a.value AS a_value, a.period AS a_period, a.basis AS a_basis, a.source_publisher AS a_source, [a.id] AS a_source_ids, [a.source_key] AS a_sources,
        b.value AS b_value, b.period AS b_period, b.basis AS b_basis, b.source_publisher AS b_source, [b.id] AS b_source_ids, [b.source_key] AS b_sources,
        'as stated' AS comparable_basis,
        'as stated' AS reading,
        NULL::BIGINT AS b_sessions,
        NULL::DOUBLE AS b_value_one_session_less,
        a.value AS a_comparable, b.value AS b_comparable,
        -- disagree when the distance between the two ranges, relative to the larger value, exceeds the tolerance
        greatest(a.lo - b.hi, b.lo - a.hi, 0) / greatest(abs(a.value), abs(b.value)) > p.money_relative_tolerance AS disagrees,
        p.money_relative_tolerance AS tolerance,
        'relative' AS tolerance_basis,
        concat_ws(' | ', a.note, b.note) AS note
    FROM figures a
    JOIN figures b
      ON a.figure = b.figure AND a.period = b.period AND a.unit = b.unit
     AND a.source_key IS DISTINCT FROM b.source_key AND a.id < b.id
     -- projections of different vintages are different forecasts, not one figure; one without a
     -- stated vintage is compared with none
     AND a.vintage IS NOT DISTINCT FROM b.vintage AND NOT (a.measure = 'revenue_projection' AND a.vintage IS NULL)
    CROSS JOIN params p
),
cost_reference AS (
    SELECT DISTINCT ref_low_usd_bn_per_gw AS lo, ref_mid_usd_bn_per_gw AS mid, ref_high_usd_bn_per_gw AS hi
    FROM mart.cost_per_gw
),
reference_sources AS (
    SELECT list_sort(flatten(list(source_ids))) AS ids, list_sort(list_distinct(flatten(list(sources)))) AS sources
    FROM mart.cost_per_gw
    WHERE in_reference
),
estimate_vs_reference AS (
    SELECT
        'estimate_vs_reference' AS comparison,
        'reference',
        e.id,
        'all-in cost per GW (' || e.subject || ')' AS figure,
        e.unit,
        r.mid, NULL::VARCHAR, 'reported', 'reference range ' || r.lo || '-' || r.hi || ' (mart.cost_per_gw)', s.ids, s.sources,
        e.value, e.period, 'reported', e.source_publisher, [e.id], [e.source_key],
        'as stated (reference: its mid)', 'as stated', NULL, NULL,
        r.mid, e.value,
        greatest(r.lo - e.hi, e.lo - r.hi, 0) / greatest(abs(r.mid), abs(e.value)) > p.money_relative_tolerance,
        p.money_relative_tolerance, 'relative',
        e.note
    FROM figures e
    JOIN raw.reference_estimates x ON x.estimate_id = e.id AND x.item = 'cost_per_gw_all_in'
    CROSS JOIN cost_reference r
    CROSS JOIN reference_sources s
    CROSS JOIN params p
    WHERE NOT list_contains(s.ids, e.id)
),
annual_payments AS (
    SELECT
        t.deal_id,
        f.overlap_group,
        f.counts_in_totals,
        f.payee,
        d.source_publisher || ' (' || t.deal_id || ')' AS source,
        avg(t.value) AS per_year_usd_bn,
        min(period_year(t.period)) AS first_year,
        max(period_year(t.period)) AS last_year,
        CASE WHEN count(*) = 1 THEN min(t.period)
             ELSE min(period_year(t.period)) || '/' || max(period_year(t.period)) END AS period,
        CASE WHEN bool_and(t.basis = 'stated') THEN 'reported' WHEN bool_or(t.basis = 'assumption') THEN 'assumption' ELSE 'derived' END AS basis,
        list(t.loaded_from ORDER BY t.loaded_from) AS term_ids,
        list(DISTINCT coalesce(t.source_url, t.source_document) ORDER BY coalesce(t.source_url, t.source_document)) AS sources,
        min(t.note) AS note
    FROM raw.deal_terms t
    JOIN core.deal_flows f USING (deal_id)
    JOIN raw.deals d USING (deal_id)
    WHERE t.term_type = 'payment_schedule' AND t.item = 'annual_payment' AND t.unit = 'USD bn'
      AND f.overlap_group IS NOT NULL
    GROUP BY t.deal_id, f.overlap_group, f.counts_in_totals, f.payee, d.source_publisher
),
overlap_group_schedule AS (
    SELECT
        'overlap_group_schedule' AS comparison,
        a.deal_id,
        b.deal_id,
        'annual payment to ' || b.payee || ' (overlap group ' || a.overlap_group || ')' AS figure,
        'USD bn per year',
        a.per_year_usd_bn, a.period, a.basis, a.source, list_concat([a.deal_id], a.term_ids), a.sources,
        b.per_year_usd_bn, b.period, b.basis, b.source, list_concat([b.deal_id], b.term_ids), b.sources,
        'per year', 'as stated', NULL, NULL,
        a.per_year_usd_bn, b.per_year_usd_bn,
        abs(a.per_year_usd_bn - b.per_year_usd_bn) / greatest(a.per_year_usd_bn, b.per_year_usd_bn) > p.money_relative_tolerance,
        p.money_relative_tolerance, 'relative',
        concat_ws(' | ', a.note, b.note)
    FROM annual_payments a
    JOIN annual_payments b
      ON a.overlap_group = b.overlap_group AND a.deal_id <> b.deal_id
     -- a: the row not counted in totals (or the first id when both have the same role)
     AND (a.counts_in_totals, a.deal_id) < (b.counts_in_totals, b.deal_id)
     AND a.first_year <= b.last_year AND b.first_year <= a.last_year
    CROSS JOIN params p
),
reported_revenue AS (
    SELECT
        period, value, source_key,
        string_agg(DISTINCT source_publisher, '; ' ORDER BY source_publisher) AS source,
        list(id ORDER BY id) AS ids,
        period_start(period) AS first_day, period_end(period) AS last_day, period_months(period) AS months
    FROM figures
    WHERE measure = 'revenue' AND subject IS NULL AND unit = 'USD bn'
    GROUP BY period, value, source_key
),
tracker_readings(reading, months_of) AS (  -- how many months the tracker's figure covers
    VALUES ('tracker figure for its whole period', 'period'), ('tracker figure read as monthly', 'month')
),
implied_pairs AS (
    SELECT
        m.*, r.period AS r_period, r.value AS r_value, r.source AS r_source, r.ids AS r_ids, r.source_key AS r_source_key,
        r.months AS r_months, tr.reading,
        CASE tr.months_of WHEN 'period' THEN m.total_revenue_usd_bn / period_months(m.period) ELSE m.total_revenue_usd_bn END AS a_monthly,
        r.value / r.months AS b_monthly
    FROM mart.revenue_mix m
    JOIN reported_revenue r
      ON r.first_day <= m.period_start AND r.last_day >= m.period_end
     AND NOT list_contains(m.sources, r.source_key)
    CROSS JOIN tracker_readings tr
    WHERE m.total_revenue_basis = 'derived'
    QUALIFY r.months = min(r.months) OVER (PARTITION BY m.period, m.source, tr.reading)
),
implied_vs_reported AS (
    SELECT
        'implied_vs_reported' AS comparison,
        array_to_string(i.source_ids, '+') || CASE WHEN i.reading LIKE '%monthly' THEN ':monthly' ELSE '' END,
        array_to_string(i.r_ids, '+'),
        'OpenAI total revenue' AS figure,
        'USD bn',
        i.total_revenue_usd_bn, i.period, i.total_revenue_basis, i.source, i.source_ids, i.sources,
        i.r_value, i.r_period, 'reported', i.r_source, i.r_ids, [i.r_source_key],
        'per month of each period',
        i.reading, NULL, NULL,
        i.a_monthly, i.b_monthly,
        -- a pair is listed in both readings once one reading disagrees
        bool_or(abs(i.a_monthly - i.b_monthly) / greatest(i.a_monthly, i.b_monthly) > p.money_relative_tolerance)
            OVER (PARTITION BY i.period, i.source, i.r_period),
        p.money_relative_tolerance, 'relative',
        i.total_revenue_rule || ' (' || i.period || ') against revenue reported for ' || i.r_period
            || CASE WHEN i.reading LIKE '%monthly'
                    THEN '; read as monthly: ' || i.total_revenue_usd_bn || ' bn a month'
                    ELSE '; for the whole ' || period_months(i.period) || '-month period' END
    FROM implied_pairs i
    CROSS JOIN params p
),
press_moves AS (
    SELECT
        e.estimate_id, e.item, e.subject AS ticker, e.period, e.value, e.source_publisher,
        coalesce(e.source_url, e.source_document) AS source_key, e.note,
        period_start(e.period) AS first_day, period_end(e.period) AS last_day
    FROM raw.reference_estimates e
    WHERE e.item IN ('share_price_move_close', 'share_price_move_cumulative') AND e.unit = 'share'
      AND NOT coalesce(e.note ILIKE 'FLAGGED:%', false)
      AND e.subject IN (SELECT DISTINCT ticker FROM core.prices)
),
computed_moves AS (
    SELECT
        m.*,
        (SELECT arg_max(close, trade_date) FROM (SELECT close, trade_date FROM core.prices p
                WHERE p.ticker = m.ticker AND p.trade_date BETWEEN m.first_day AND m.last_day
                ORDER BY trade_date DESC OFFSET 1)) AS one_less_close,
        (SELECT arg_max(close, trade_date) FROM core.prices p WHERE p.ticker = m.ticker AND p.trade_date < m.first_day) AS base_close,
        (SELECT max(trade_date) FROM core.prices p WHERE p.ticker = m.ticker AND p.trade_date < m.first_day) AS base_date,
        (SELECT arg_max(close, trade_date) FROM core.prices p WHERE p.ticker = m.ticker AND p.trade_date BETWEEN m.first_day AND m.last_day) AS end_close,
        (SELECT max(trade_date) FROM core.prices p WHERE p.ticker = m.ticker AND p.trade_date BETWEEN m.first_day AND m.last_day) AS end_date,
        (SELECT count(*) FROM core.prices p WHERE p.ticker = m.ticker AND p.trade_date BETWEEN m.first_day AND m.last_day) AS sessions
    FROM press_moves m
),
press_vs_prices AS (
    SELECT
        'press_vs_prices' AS comparison,
        c.estimate_id,
        'core.prices',
        'share-price move of ' || c.ticker || ' (' || c.item || ')' AS figure,
        'share',
        c.value, c.period, 'reported', c.source_publisher, [c.estimate_id], [c.source_key],
        c.end_close / c.base_close - 1, c.period, 'derived', 'core.prices (close to close)',
        ['core.prices:' || c.ticker || ':' || c.base_date || '/' || c.end_date], ['core.prices'],
        'as stated', c.sessions || ' session(s) as printed', c.sessions, c.one_less_close / c.base_close - 1,
        c.value, c.end_close / c.base_close - 1,
        abs(c.value - (c.end_close / c.base_close - 1)) > p.return_absolute_tolerance,
        p.return_absolute_tolerance, 'absolute',
        c.sessions || ' session(s): close ' || c.base_close || ' on ' || c.base_date || ' to ' || c.end_close || ' on ' || c.end_date
            || ' | ' || c.note
    FROM computed_moves c
    CROSS JOIN params p
    WHERE c.base_close IS NOT NULL AND c.end_close IS NOT NULL
),
flagged_vs_reference AS (
    SELECT
        'flagged_vs_reference' AS comparison,
        'reference',
        f.id,
        'all-in cost per GW: flagged figure against the reference it garbles' AS figure,
        f.unit,
        r.mid, NULL::VARCHAR, 'reported', 'reference range ' || r.lo || '-' || r.hi || ' (mart.cost_per_gw)', s.ids, s.sources,
        f.value, f.period, 'reported', f.source_publisher, [f.id], [f.source_key],
        'as stated (reference: its mid); flagged, never used', 'as stated', NULL, NULL,
        r.mid, f.value,
        true,
        p.money_relative_tolerance, 'relative',
        f.note
    FROM (
        SELECT estimate_id AS id, unit, value, period, source_publisher, coalesce(source_url, source_document) AS source_key, note
        FROM raw.reference_estimates
        WHERE unit = 'USD bn per GW' AND item LIKE 'cost_per_gw%' AND note ILIKE 'FLAGGED:%'
        UNION ALL
        SELECT metric_id, unit, value, period, source_publisher, coalesce(source_url, source_document), note
        FROM raw.openai_metrics
        WHERE unit = 'USD bn per GW' AND metric LIKE 'cost_per_gw%' AND note ILIKE 'FLAGGED:%'
    ) f
    CROSS JOIN cost_reference r
    CROSS JOIN reference_sources s
    CROSS JOIN params p
),
all_pairs AS (
    SELECT * FROM same_figure
    UNION ALL SELECT * FROM estimate_vs_reference
    UNION ALL SELECT * FROM overlap_group_schedule
    UNION ALL SELECT * FROM implied_vs_reported
    UNION ALL SELECT * FROM press_vs_prices
    UNION ALL SELECT * FROM flagged_vs_reference
)
SELECT
    comparison || ':' || a_key || ':' || b_key AS discrepancy_id,
    comparison,
    figure,
    unit,
    round(a_value, 4) AS a_value,
    a_period,
    a_basis,
    a_source,
    a_source_ids,
    a_sources,
    round(b_value, 4) AS b_value,
    b_period,
    b_basis,
    b_source,
    b_source_ids,
    b_sources,
    comparable_basis,
    reading,
    round(a_comparable, 4) AS a_comparable,
    round(b_comparable, 4) AS b_comparable,
    round(b_comparable - a_comparable, 4) AS gap,
    round(abs(b_comparable - a_comparable) / greatest(abs(a_comparable), abs(b_comparable)), 4) AS relative_gap_ratio,
    abs(b_comparable - a_comparable) / greatest(abs(a_comparable), abs(b_comparable)) > tolerance AND tolerance_basis = 'relative'
        OR abs(b_comparable - a_comparable) > tolerance AND tolerance_basis = 'absolute' AS beyond_tolerance,
    b_sessions,
    round(b_value_one_session_less, 4) AS b_value_one_session_less,
    tolerance,
    tolerance_basis,
    note
FROM all_pairs
WHERE disagrees
ORDER BY comparison, figure, discrepancy_id;
