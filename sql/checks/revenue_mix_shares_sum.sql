-- Asset check on mart.revenue_mix (no rows = pass): per period and source, the segment shares
-- must add up to 1 within the tolerance. With other_share derived as the residual, this fails
-- when the stated shares add up to more than 1 + tolerance (a negative residual); with a stated
-- other_share, when the four stated shares miss 1 by more than the tolerance. A share outside
-- 0..1 fails too.
WITH params AS (
    -- Modelling choice (no registry row states it): sources print shares rounded to 0.1-1 point,
    -- so a mix may miss 1 by up to 2 points (0.02) without being wrong.
    SELECT 0.02 AS mix_sum_tolerance
)
SELECT
    m.period,
    m.source,
    m.personal_share,
    m.enterprise_share,
    m.api_share,
    m.other_share,
    m.other_share_basis,
    coalesce(m.personal_share, 0) + coalesce(m.enterprise_share, 0) + coalesce(m.api_share, 0) + coalesce(m.other_share, 0) AS shares_sum,
    coalesce(m.personal_share, 0) + coalesce(m.enterprise_share, 0) + coalesce(m.api_share, 0)
        + CASE WHEN m.other_share_basis = 'reported' THEN m.other_share ELSE 0 END AS stated_sum,
    p.mix_sum_tolerance
FROM mart.revenue_mix m
CROSS JOIN params p
WHERE abs(coalesce(m.personal_share, 0) + coalesce(m.enterprise_share, 0) + coalesce(m.api_share, 0) + coalesce(m.other_share, 0) - 1) > p.mix_sum_tolerance
   OR m.other_share < -p.mix_sum_tolerance
   OR least(m.personal_share, m.enterprise_share, m.api_share) < 0
   OR greatest(m.personal_share, m.enterprise_share, m.api_share, m.other_share) > 1
ORDER BY m.period, m.source;
