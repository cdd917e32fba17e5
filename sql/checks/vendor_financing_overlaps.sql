-- Asset check on mart.vendor_financing (no rows = pass): no deal counted twice. A deal summed in
-- two rows or on both sides, a summed deal that core.deal_flows does not count in totals
-- (overlapping or umbrella row), and an overlap group with more than one summed deal all fail.
WITH summed AS (
    SELECT supplier, customer, unnest(list_concat(financing_deal_ids, commitment_deal_ids)) AS deal_id
    FROM mart.vendor_financing
)
SELECT deal_id, 'summed more than once' AS problem, string_agg(supplier || '/' || customer, ', ' ORDER BY supplier, customer) AS detail
FROM summed
GROUP BY deal_id
HAVING count(*) > 1
UNION ALL
SELECT s.deal_id, 'summed although not counted in totals', coalesce(f.overlap_group, '') || ' ' || coalesce(f.overlap_role, 'no flow')
FROM summed s
LEFT JOIN core.deal_flows f USING (deal_id)
WHERE NOT coalesce(f.counts_in_totals, false)
UNION ALL
SELECT f.overlap_group, 'overlap group summed more than once', string_agg(DISTINCT s.deal_id, ', ' ORDER BY s.deal_id)
FROM summed s
JOIN core.deal_flows f USING (deal_id)
WHERE f.overlap_group IS NOT NULL
GROUP BY f.overlap_group
HAVING count(DISTINCT s.deal_id) > 1
ORDER BY 1, 2;
