-- How does OpenAI's revenue split between personal subscriptions, enterprise subscriptions and
-- the API, by period and by source? The seed article's app-tracker figures and OpenAI's own
-- statement side by side; the other share is the residual (derived) unless a source states it,
-- and amounts appear where the same source gives a total (reported or derived).
SELECT
    period,
    CASE WHEN list_contains(reliability, 'app_tracker') THEN 'app tracker (seed article)' ELSE source END AS source,
    personal_share,
    enterprise_share,
    api_share,
    round(other_share, 3) AS other_share,
    other_share_basis AS other_basis,
    array_to_string(lower_bound_shares, ', ') AS lower_bounds,
    round(total_revenue_usd_bn, 2) AS total_usd_bn,
    total_revenue_basis AS total_basis
FROM mart.revenue_mix
ORDER BY period_start, period, source;
