-- Asset check on mart.commitment_schedule (no rows = pass): within a calendar year, no overlap
-- group has more than one of its deals in the counted commitments (deal_ids), and no deal that
-- core.deal_flows says does not count in totals (the other rows of an overlap group, umbrella
-- programmes) is counted, so no money is counted twice.
WITH counted AS (
    SELECT s.calendar_year, unnest(s.deal_ids) AS deal_id
    FROM mart.commitment_schedule s
)
SELECT
    c.calendar_year,
    f.overlap_group,
    list(DISTINCT c.deal_id ORDER BY c.deal_id) AS counted_deal_ids,
    list(DISTINCT c.deal_id ORDER BY c.deal_id) FILTER (NOT coalesce(f.counts_in_totals, false)) AS not_countable
FROM counted c
LEFT JOIN core.deal_flows f USING (deal_id)
GROUP BY c.calendar_year, f.overlap_group
HAVING (f.overlap_group IS NOT NULL AND count(DISTINCT c.deal_id) > 1)
    OR bool_or(NOT coalesce(f.counts_in_totals, false))
ORDER BY c.calendar_year, f.overlap_group;
