-- OpenAI's revenue mix by period and source for the stacked-share chart: the stated shares (null =
-- not stated), the other share and whether it is stated or the derived residual (which then holds
-- the unstated segments), and a short source label.
SELECT
    period,
    period_start,
    CASE WHEN list_contains(reliability, 'app_tracker') THEN 'app tracker (seed article)' ELSE source END AS source_label,
    personal_share,
    enterprise_share,
    api_share,
    other_share,
    other_share_basis,
    array_to_string(unstated_segments, ', ') AS unstated_segments,
    array_to_string(lower_bound_shares, ', ') AS lower_bound_shares,
    total_revenue_usd_bn
FROM mart.revenue_mix
ORDER BY period_start, period, source;
