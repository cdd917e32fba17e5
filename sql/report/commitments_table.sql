-- The report's commitments-vs-revenue table, one row per year ('unscheduled' last): counted
-- commitments and who they go to, undisclosed counterparties, overlapping money not counted,
-- revenue, OpenAI's own projection (a projection, not revenue), target and the coverage ratios.
SELECT
    coalesce(calendar_year::VARCHAR, 'unscheduled') AS year,
    sum(committed_usd_bn) AS committed_usd_bn,
    string_agg(counterparty || ' ' || round(committed_usd_bn, 1), ', ' ORDER BY committed_usd_bn DESC, counterparty)
        FILTER (committed_usd_bn IS NOT NULL) AS by_counterparty,
    string_agg(counterparty, ', ' ORDER BY counterparty) FILTER (committed_usd_bn IS NULL AND overlapping_usd_bn IS NULL) AS undisclosed,
    sum(overlapping_usd_bn) AS overlap_not_counted_usd_bn,
    any_value(revenue_usd_bn) AS revenue_usd_bn,
    any_value(revenue_projection_usd_bn) AS revenue_projection_usd_bn,
    any_value(revenue_target_usd_bn) AS revenue_target_usd_bn,
    any_value(coverage_ratio) AS coverage_ratio,
    any_value(projected_coverage_ratio) AS projected_coverage_ratio,
    any_value(target_coverage_ratio) AS target_coverage_ratio
FROM mart.commitment_schedule
GROUP BY calendar_year
ORDER BY calendar_year NULLS LAST;
