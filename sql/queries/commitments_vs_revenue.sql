-- Commitments vs revenue by year: how much OpenAI has committed to pay for compute in each
-- calendar year (counted deals only, spread by the registry's payment terms; overlapping deals
-- shown apart, never added), against its reported revenue, its own projection (labelled: a
-- projection, not revenue) and its stated target. coverage_ratio = revenue / commitments,
-- projected_coverage_ratio = projection / commitments; upper_bound when commitments without an
-- amount are active in the year. 'unscheduled' holds commitments with no period (summed where an
-- amount is known) and counterparties whose amount is undisclosed.
SELECT
    coalesce(calendar_year::VARCHAR, 'unscheduled') AS year,
    round(sum(committed_usd_bn), 1) AS committed_usd_bn,
    string_agg(counterparty || ' ' || round(committed_usd_bn, 1), ', ' ORDER BY committed_usd_bn DESC, counterparty)
        FILTER (committed_usd_bn IS NOT NULL) AS by_counterparty,
    string_agg(counterparty, ', ' ORDER BY counterparty) FILTER (committed_usd_bn IS NULL AND overlapping_usd_bn IS NULL) AS undisclosed,
    round(sum(overlapping_usd_bn), 1) AS overlap_not_counted_usd_bn,
    any_value(revenue_usd_bn) AS revenue_usd_bn,
    any_value(revenue_projection_usd_bn) AS projection_usd_bn,
    any_value(revenue_target_usd_bn) AS target_usd_bn,
    round(any_value(coverage_ratio), 2) AS coverage_ratio,
    round(any_value(projected_coverage_ratio), 2) AS projected_coverage_ratio,
    any_value(coverage_is_upper_bound) AS upper_bound
FROM mart.commitment_schedule
GROUP BY calendar_year
ORDER BY calendar_year NULLS LAST;
