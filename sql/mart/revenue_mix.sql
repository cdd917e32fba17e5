-- mart.revenue_mix: one row per period and source that reports a share of OpenAI's revenue by
-- segment (metrics revenue_mix_personal_share / _enterprise_share / _api_share, and
-- revenue_mix_other_share if a source states it), from raw.openai_metrics.
--
-- A "source" is one cited page (source_url) or, without a URL, one named document
-- (source_document): the seed article's app-tracker figures form one source, each press page
-- another. Sources are never mixed within a row, so the seed's 2025 mix and OpenAI's own 2026
-- statement stand side by side as separate rows.
--
-- other_share: stated if the source states it; otherwise derived as 1 minus the stated shares.
-- When a named segment is not stated for the period (listed in unstated_segments), the derived
-- residual includes it. A negative residual means the stated shares add up to more than 1: the
-- blocking check sql/checks/revenue_mix_shares_sum.sql fails beyond its tolerance.
--
-- Total revenue for the same period and source: reported (metric revenue, or monthly_revenue for
-- a one-month period) if the source gives it, else derived as api_revenue / api_share when the
-- source gives both. Segment amounts are then derived as share x total.
CREATE OR REPLACE TABLE mart.revenue_mix AS
WITH metrics AS (
    SELECT
        *,
        coalesce(source_url, source_document) AS source_key,
        coalesce(note ILIKE '%lower bound%', false) AS lower_bound,
        coalesce(note ILIKE 'FLAGGED:%', false) AS flagged
    FROM raw.openai_metrics
),
shares AS (
    SELECT *, regexp_extract(metric, '^revenue_mix_(.+)_share$', 1) AS segment
    FROM metrics
    WHERE regexp_full_match(metric, 'revenue_mix_(personal|enterprise|api|other)_share') AND NOT flagged
),
mixes AS (
    SELECT
        period,
        source_key,
        string_agg(DISTINCT source_publisher, '; ' ORDER BY source_publisher) AS source,
        list(DISTINCT reliability ORDER BY reliability) AS reliability,
        max(value) FILTER (segment = 'personal') AS personal_share,
        max(value) FILTER (segment = 'enterprise') AS enterprise_share,
        max(value) FILTER (segment = 'api') AS api_share,
        max(value) FILTER (segment = 'other') AS stated_other_share,
        coalesce(list(segment || '_share' ORDER BY segment) FILTER (lower_bound), []::VARCHAR[]) AS lower_bound_shares,
        list(metric_id ORDER BY metric_id) AS metric_ids,
        list(DISTINCT coalesce(source_url, source_document) ORDER BY coalesce(source_url, source_document)) AS sources
    FROM shares
    GROUP BY period, source_key
),
reported_totals AS (  -- a revenue figure for exactly this period from the same source
    SELECT period, source_key, max(value) AS total_usd_bn, list(metric_id ORDER BY metric_id) AS metric_ids
    FROM metrics
    WHERE NOT flagged AND unit = 'USD bn'
      AND (metric = 'revenue' OR (metric = 'monthly_revenue' AND period_months(period) = 1))
    GROUP BY period, source_key
),
api_amounts AS (  -- the API segment's revenue from the same source and period
    SELECT period, source_key, max(value) AS api_usd_bn, list(metric_id ORDER BY metric_id) AS metric_ids
    FROM metrics
    WHERE NOT flagged AND metric = 'api_revenue' AND unit = 'USD bn'
    GROUP BY period, source_key
),
combined AS (
    SELECT
        m.*,
        coalesce(m.stated_other_share,
                 1 - coalesce(m.personal_share, 0) - coalesce(m.enterprise_share, 0) - coalesce(m.api_share, 0)) AS other_share,
        CASE WHEN m.stated_other_share IS NOT NULL THEN 'reported' ELSE 'derived' END AS other_share_basis,
        list_filter(['personal', 'enterprise', 'api'],
                    lambda s: (s = 'personal' AND m.personal_share IS NULL)
                      OR (s = 'enterprise' AND m.enterprise_share IS NULL)
                      OR (s = 'api' AND m.api_share IS NULL)) AS unstated_segments,
        CASE
            WHEN t.total_usd_bn IS NOT NULL THEN t.total_usd_bn
            WHEN a.api_usd_bn IS NOT NULL AND m.api_share > 0 THEN a.api_usd_bn / m.api_share
        END AS total_revenue_usd_bn,
        CASE
            WHEN t.total_usd_bn IS NOT NULL THEN 'reported'
            WHEN a.api_usd_bn IS NOT NULL AND m.api_share > 0 THEN 'derived'
        END AS total_revenue_basis,
        CASE
            WHEN t.total_usd_bn IS NOT NULL THEN 'revenue stated by the same source for the same period'
            WHEN a.api_usd_bn IS NOT NULL AND m.api_share > 0 THEN 'api_revenue / api_share, both stated by the same source for the same period'
        END AS total_revenue_rule,
        coalesce(t.metric_ids, a.metric_ids, []::VARCHAR[]) AS total_metric_ids
    FROM mixes m
    LEFT JOIN reported_totals t USING (period, source_key)
    LEFT JOIN api_amounts a USING (period, source_key)
)
SELECT
    period,
    period_start(period) AS period_start,
    period_end(period) AS period_end,
    source,
    reliability,
    personal_share,
    enterprise_share,
    api_share,
    other_share,
    other_share_basis,
    unstated_segments,
    lower_bound_shares,
    total_revenue_usd_bn,
    total_revenue_basis,
    total_revenue_rule,
    personal_share * total_revenue_usd_bn AS personal_usd_bn,
    enterprise_share * total_revenue_usd_bn AS enterprise_usd_bn,
    api_share * total_revenue_usd_bn AS api_usd_bn,
    CASE WHEN other_share >= 0 THEN other_share * total_revenue_usd_bn END AS other_usd_bn,
    CASE WHEN total_revenue_usd_bn IS NOT NULL THEN 'derived' END AS amounts_basis,
    list_concat(metric_ids, total_metric_ids) AS source_ids,
    sources
FROM combined
ORDER BY period_start, period, source;
