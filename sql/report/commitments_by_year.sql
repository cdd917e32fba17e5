-- OpenAI's counted compute commitments per calendar year and counterparty (NULL year: cannot be
-- spread — no amount or no period), with the overlapping money shown but never counted, and the
-- year's reported revenue, OpenAI's own projection (labelled) and stated revenue target.
SELECT
    calendar_year,
    counterparty,
    committed_usd_bn,
    basis,
    overlapping_usd_bn,
    year_committed_usd_bn,
    revenue_usd_bn,
    revenue_projection_usd_bn,
    revenue_target_usd_bn,
    coverage_ratio,
    projected_coverage_ratio,
    target_coverage_ratio,
    array_to_string(deal_ids, ', ') AS deal_ids
FROM mart.commitment_schedule
ORDER BY calendar_year NULLS LAST, counterparty;
