-- Asset check: deals of raw.deals without exactly one flow in core.deal_flows, and flows of no
-- deal (no rows = pass). A name resolving to two companies would duplicate a flow.
SELECT d.deal_id, count(f.flow_id) AS flows
FROM raw.deals d
LEFT JOIN core.deal_flows f USING (deal_id)
GROUP BY d.deal_id
HAVING count(f.flow_id) <> 1
UNION ALL
SELECT deal_id, count(*) AS flows
FROM core.deal_flows
WHERE deal_id NOT IN (SELECT deal_id FROM raw.deals)
GROUP BY deal_id
ORDER BY deal_id;
