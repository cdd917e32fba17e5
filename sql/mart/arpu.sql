-- mart.arpu: revenue per user, USD per user. One row per reported ARPU figure (metric arpu), and
-- one row per revenue figure x user measure where both are known, from raw.openai_metrics.
--
-- Computed rows (basis 'derived'): a revenue figure for a period (metric revenue, or
-- monthly_revenue for one month), divided by the mean of the user counts of one measure (WAU or
-- MAU, below) reported inside that period, as MONTHLY revenue per user:
--     arpu_usd = revenue_usd_bn * 1000 / months_in_period / mean_users_m
-- (USD bn * 1e9 / (million users * 1e6) = * 1000). The same revenue figure printed by several
-- rows of one source (a relay by the seed article of the same page) is one figure.
-- Reported rows keep the source's figure and say that its basis is not stated.
--
-- Users that are lower bounds ("more than 900 million") make the computed ARPU an upper bound;
-- the note says so.
CREATE OR REPLACE TABLE mart.arpu AS
WITH user_measures(metric, user_basis) AS (  -- which metric counts which kind of active user
    VALUES ('chatgpt_weekly_active_users', 'WAU'),
           ('chatgpt_monthly_active_users', 'MAU')
),
metrics AS (
    SELECT
        *,
        coalesce(source_url, source_document) AS source_key,
        coalesce(note ILIKE '%lower bound%', false) AS lower_bound
    FROM raw.openai_metrics
    WHERE NOT coalesce(note ILIKE 'FLAGGED:%', false)
),
revenues AS (
    SELECT
        period,
        value AS revenue_usd_bn,
        source_key,
        string_agg(DISTINCT source_publisher, '; ' ORDER BY source_publisher) AS source,
        list(metric_id ORDER BY metric_id) AS metric_ids,
        list(DISTINCT reliability ORDER BY reliability) AS reliability,
        period_months(period) AS months,
        period_start(period) AS first_day,
        period_end(period) AS last_day
    FROM metrics
    WHERE unit = 'USD bn' AND (metric = 'revenue' OR (metric = 'monthly_revenue' AND period_months(period) = 1))
    GROUP BY period, value, source_key
    HAVING period_months(period) >= 1
),
users AS (
    SELECT m.*, u.user_basis, period_start(m.period) AS first_day, period_end(m.period) AS last_day
    FROM metrics m
    JOIN user_measures u USING (metric)
    WHERE m.unit = 'million users'
),
computed AS (
    SELECT
        r.period,
        r.source,
        r.revenue_usd_bn,
        r.months,
        u.user_basis,
        avg(u.value) AS users_m,
        count(*) AS user_counts,
        list(u.period ORDER BY u.first_day) AS user_periods,
        bool_or(u.lower_bound) AS users_lower_bound,
        list_concat(r.metric_ids, list(u.metric_id ORDER BY u.first_day)) AS source_ids,
        list_sort(list_distinct(list_concat([r.source_key], list(u.source_key)))) AS sources,
        list_sort(list_distinct(list_concat(r.reliability, list(u.reliability)))) AS reliability
    FROM revenues r
    JOIN users u ON u.first_day >= r.first_day AND u.last_day <= r.last_day
    GROUP BY r.period, r.source, r.revenue_usd_bn, r.months, r.metric_ids, r.source_key, r.reliability, u.user_basis
)
SELECT
    period,
    period_start(period) AS period_start,
    period_end(period) AS period_end,
    source,
    'computed' AS arpu_kind,
    revenue_usd_bn * 1000 / months / users_m AS arpu_usd,
    'monthly' AS period_basis,
    user_basis,
    revenue_usd_bn,
    months AS revenue_months,
    users_m,
    user_counts,
    user_periods,
    'derived' AS basis,
    'revenue_usd_bn * 1000 / ' || months || ' months / mean of ' || user_counts || ' ' || user_basis
        || ' count(s) reported within the period (million)' AS rule,
    CASE WHEN users_lower_bound THEN 'upper bound: a user count is a lower bound (more than ...)' END AS note,
    list_sort(list_distinct(reliability)) AS reliability,
    source_ids,
    sources
FROM computed
UNION ALL
SELECT
    period,
    period_start(period),
    period_end(period),
    source_publisher,
    'reported',
    value,
    'not stated',
    'not stated',
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    'reported',
    'as printed by the source; the source does not state the period or user basis',
    note,
    [reliability],
    [metric_id],
    [source_key]
FROM metrics
WHERE metric = 'arpu' AND unit = 'USD'
ORDER BY period_start, period, arpu_kind, user_basis, source;
