-- Asset check: overlap groups that totals would count other than once (umbrella groups: never)
-- (no rows = pass).
SELECT
    overlap_group,
    count(*) FILTER (counts_in_totals) AS counted,
    CASE WHEN bool_and(overlap_role = 'umbrella') THEN 0 ELSE 1 END AS expected,
    string_agg(deal_id, ', ' ORDER BY deal_id) AS deals
FROM core.deal_flows
WHERE overlap_group IS NOT NULL
GROUP BY overlap_group
HAVING count(*) FILTER (counts_in_totals) <> CASE WHEN bool_and(overlap_role = 'umbrella') THEN 0 ELSE 1 END
ORDER BY overlap_group;
