-- mart.commitment_schedule: OpenAI's committed spend on compute (its purchase commitments in
-- core.deal_flows: chips, cloud, compute) by calendar year and counterparty, next to OpenAI's
-- reported revenue and stated revenue target for that year.
--
-- Spreading rules, in order (each row lists the rules it used):
--   1. the registry's payment terms (raw.deal_terms, term_type payment_schedule, USD bn): each
--      term goes to the calendar year of its period ('2027', '2026-04'); a fiscal year 'FY2028'
--      goes to 2028, the year it is named after (the registry holds no fiscal-year end month).
--      Their basis is the registry's: stated -> reported, derived (e.g. Oracle's ~300 bn split
--      evenly into 60 bn a year for 2027-2031) -> derived, assumption -> assumption.
--   2. a deal with an amount but no payment terms, and a start and end year: split evenly over
--      the calendar years start..end (derived, this mart's rule).
--   3. anything else (no amount, or no period) is not spread: calendar_year is NULL, so totals
--      over years never include it, and the row says why.
-- Overlapping deals (core.deal_flows.counts_in_totals = false: the other row of an overlap group,
-- or an umbrella programme) are never counted: their money is shown apart in overlapping_usd_bn,
-- so both figures stay visible (Oracle's stated ~30 bn a year against the derived 60 bn).
--
-- Revenue per year (repeated on every counterparty row of that year), for EVERY year of the
-- schedule: reported revenue (metric revenue) where it exists, and OpenAI's own projection
-- (metric revenue_projection, labelled as a projection) of the latest vintage beside it (the
-- vintage as the note writes it, 'Vintage Q1-2026'; a projection without one ranks below any
-- with one; then the most recently published); the stated target (revenue_target). Where several
-- sources give one figure, the most recently published is used and the others stay listed in
-- source_ids. coverage_ratio = reported revenue / all counted commitments of that year (every
-- counterparty); projected_coverage_ratio = projected revenue / the same commitments.
-- A year's commitments are only those with an amount and a period: OpenAI's commitments whose
-- period covers the year but have no amount or cannot be spread (AMD, Broadcom, NVIDIA systems)
-- are listed in year_unscheduled_deal_ids, and the coverage ratios are then upper bounds
-- (coverage_is_upper_bound): 2025's ratio compares a year of revenue with the one contract that
-- has an amount for 2025.
CREATE OR REPLACE TABLE mart.commitment_schedule AS
WITH subject(company) AS (VALUES ('OpenAI')),  -- whose commitments this mart schedules
commitments AS (
    SELECT f.*
    FROM core.deal_flows f, subject s
    WHERE f.payer = s.company AND f.kind = 'purchase_commitment'
),
terms AS (
    SELECT
        t.deal_id,
        period_year(t.period) AS calendar_year,
        t.value AS usd_bn,
        CASE t.basis WHEN 'stated' THEN 'reported' ELSE t.basis END AS basis,
        t.rule || CASE WHEN regexp_full_match(t.period, 'FY\d{4}')
                       THEN ' (fiscal year ' || t.period || ' placed in calendar ' || right(t.period, 4) || ')' ELSE '' END AS rule,
        t.loaded_from AS term_id,
        coalesce(t.source_url, t.source_document) AS source
    FROM raw.deal_terms t
    JOIN commitments c USING (deal_id)
    WHERE t.term_type = 'payment_schedule' AND t.unit = 'USD bn'
),
spread AS (  -- rule 2: an amount and a start..end, no payment terms
    SELECT
        c.deal_id,
        y AS calendar_year,
        c.amount_usd_bn / (year(period_end(c.end_period)) - year(period_start(c.start_period)) + 1) AS usd_bn,
        'derived' AS basis,
        'even split of the ' || c.amount_usd_bn || ' bn total over ' || year(period_start(c.start_period)) || '-'
            || year(period_end(c.end_period)) || ' (no payment terms in the registry)' AS rule,
        NULL AS term_id,
        coalesce(c.source_url, c.source_document) AS source
    FROM commitments c,
         range(year(period_start(c.start_period)), year(period_end(c.end_period)) + 1) AS r(y)
    WHERE c.amount_usd_bn IS NOT NULL
      AND period_start(c.start_period) IS NOT NULL AND period_end(c.end_period) IS NOT NULL
      AND c.deal_id NOT IN (SELECT deal_id FROM terms)
),
unspread AS (  -- rule 3
    SELECT
        c.deal_id,
        NULL::BIGINT AS calendar_year,
        c.amount_usd_bn AS usd_bn,
        CASE WHEN c.amount_usd_bn IS NULL THEN NULL ELSE 'reported' END AS basis,
        CASE WHEN c.amount_usd_bn IS NULL THEN 'amount not disclosed: not scheduled'
             ELSE 'no payment terms and no start and end period: total not spread over years' END AS rule,
        NULL AS term_id,
        coalesce(c.source_url, c.source_document) AS source
    FROM commitments c
    WHERE c.deal_id NOT IN (SELECT deal_id FROM terms)
      AND c.deal_id NOT IN (SELECT deal_id FROM spread)
),
deal_years AS (
    SELECT u.*, c.payee AS counterparty, c.counts_in_totals, c.amount_basis
    FROM (SELECT * FROM terms UNION ALL SELECT * FROM spread UNION ALL SELECT * FROM unspread) u
    JOIN commitments c USING (deal_id)
),
by_counterparty AS (
    SELECT
        calendar_year,
        counterparty,
        sum(usd_bn) FILTER (counts_in_totals) AS committed_usd_bn,
        coalesce(list(DISTINCT deal_id ORDER BY deal_id) FILTER (counts_in_totals), []::VARCHAR[]) AS deal_ids,
        sum(usd_bn) FILTER (NOT counts_in_totals) AS overlapping_usd_bn,
        coalesce(list(DISTINCT deal_id ORDER BY deal_id) FILTER (NOT counts_in_totals), []::VARCHAR[]) AS overlapping_deal_ids,
        CASE
            WHEN bool_or(basis = 'assumption') FILTER (counts_in_totals) THEN 'assumption'
            WHEN bool_or(basis = 'derived') FILTER (counts_in_totals) THEN 'derived'
            WHEN bool_or(basis = 'reported') FILTER (counts_in_totals) THEN 'reported'
        END AS basis,
        list(DISTINCT rule ORDER BY rule) AS rules,
        coalesce(list(DISTINCT amount_basis ORDER BY amount_basis) FILTER (amount_basis IS NOT NULL AND counts_in_totals), []::VARCHAR[]) AS amount_bases,
        list_sort(list_distinct(list_concat(list(deal_id), list(term_id) FILTER (term_id IS NOT NULL)))) AS source_ids,
        list_sort(list_distinct(list(source) FILTER (source IS NOT NULL))) AS sources
    FROM deal_years
    GROUP BY calendar_year, counterparty
),
figures AS (  -- revenue, targets and projections for a calendar year, with a projection's vintage
    SELECT
        *,
        -- a projection's vintage, as the research notes write it ('Vintage Q1-2026', 'Vintage 2024-H2');
        -- its first day ranks the vintages, null (vintage not stated) ranks last
        nullif(regexp_extract(note, 'Vintage (Q[1-4]-\d{4}|\d{4}-H[12])', 1), '') AS vintage,
        CASE
            WHEN regexp_matches(note, 'Vintage Q[1-4]-\d{4}') THEN period_start(
                regexp_extract(note, 'Vintage Q[1-4]-(\d{4})', 1) || '-Q' || regexp_extract(note, 'Vintage Q([1-4])-\d{4}', 1))
            WHEN regexp_matches(note, 'Vintage \d{4}-H[12]') THEN period_start(regexp_extract(note, 'Vintage (\d{4}-H[12])', 1))
        END AS vintage_start
    FROM raw.openai_metrics
    WHERE metric IN ('revenue', 'revenue_target', 'revenue_projection') AND unit = 'USD bn' AND regexp_full_match(period, '\d{4}')
      AND NOT coalesce(note ILIKE 'FLAGGED:%', false)
),
yearly_figures AS (  -- per metric and year: the latest vintage (projections), then the most recently published
    SELECT
        metric,
        try_cast(period AS INTEGER) AS calendar_year,
        arg_max(value, (coalesce(vintage_start, DATE '0001-01-01'), source_date, metric_id)) AS value,
        arg_max(source_publisher, (coalesce(vintage_start, DATE '0001-01-01'), source_date, metric_id)) AS publisher,
        arg_max(source_date, (coalesce(vintage_start, DATE '0001-01-01'), source_date, metric_id)) AS published,
        arg_max(vintage, (coalesce(vintage_start, DATE '0001-01-01'), source_date, metric_id)) AS vintage,
        list(metric_id ORDER BY metric_id) AS metric_ids,
        list(DISTINCT coalesce(source_url, source_document) ORDER BY coalesce(source_url, source_document)) AS sources
    FROM figures
    GROUP BY metric, period
),
years AS (
    SELECT
        b.calendar_year,
        sum(b.committed_usd_bn) AS year_committed_usd_bn
    FROM by_counterparty b
    WHERE b.calendar_year IS NOT NULL
    GROUP BY b.calendar_year
),
unscheduled AS (  -- counted commitments active in a year (by their period, else their announcement) but not in its sums
    SELECT
        y.calendar_year,
        list(DISTINCT c.deal_id ORDER BY c.deal_id) AS deal_ids
    FROM years y
    JOIN commitments c
      ON c.counts_in_totals
     AND c.deal_id IN (SELECT deal_id FROM unspread)
     AND y.calendar_year BETWEEN year(coalesce(period_start(c.start_period), c.announced_on))
                             AND coalesce(year(period_end(c.end_period)), (SELECT max(calendar_year) FROM years))
    GROUP BY y.calendar_year
)
SELECT
    b.calendar_year,
    b.counterparty,
    round(b.committed_usd_bn, 2) AS committed_usd_bn,
    b.basis,
    b.rules,
    b.amount_bases,
    b.deal_ids,
    round(b.overlapping_usd_bn, 2) AS overlapping_usd_bn,
    b.overlapping_deal_ids,
    round(y.year_committed_usd_bn, 2) AS year_committed_usd_bn,
    coalesce(u.deal_ids, []::VARCHAR[]) AS year_unscheduled_deal_ids,
    round(r.value, 2) AS revenue_usd_bn,
    round(pj.value, 2) AS revenue_projection_usd_bn,
    CASE WHEN pj.value IS NOT NULL THEN 'projection (' || coalesce('vintage ' || pj.vintage || ', ', '') || pj.publisher || ', published ' || pj.published || ')' END AS revenue_projection_label,
    round(t.value, 2) AS revenue_target_usd_bn,
    round(r.value / nullif(y.year_committed_usd_bn, 0), 4) AS coverage_ratio,
    round(pj.value / nullif(y.year_committed_usd_bn, 0), 4) AS projected_coverage_ratio,
    round(t.value / nullif(y.year_committed_usd_bn, 0), 4) AS target_coverage_ratio,
    CASE WHEN b.calendar_year IS NOT NULL THEN len(coalesce(u.deal_ids, [])) > 0 END AS coverage_is_upper_bound,
    list_concat(b.source_ids, coalesce(r.metric_ids, []), coalesce(pj.metric_ids, []), coalesce(t.metric_ids, [])) AS source_ids,
    list_sort(list_distinct(list_concat(b.sources, coalesce(r.sources, []), coalesce(pj.sources, []), coalesce(t.sources, [])))) AS sources
FROM by_counterparty b
LEFT JOIN years y USING (calendar_year)
LEFT JOIN unscheduled u USING (calendar_year)
LEFT JOIN yearly_figures pj ON pj.metric = 'revenue_projection' AND pj.calendar_year = b.calendar_year
LEFT JOIN yearly_figures r ON r.metric = 'revenue' AND r.calendar_year = b.calendar_year
LEFT JOIN yearly_figures t ON t.metric = 'revenue_target' AND t.calendar_year = b.calendar_year
ORDER BY b.calendar_year NULLS LAST, b.counterparty;
