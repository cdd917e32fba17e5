-- Asset check on mart.capital_cycles (no rows = pass): every edge of every cycle (each node to the
-- next, the last back to the first) is a flow payer -> payee in core.deal_flows; every deal id a
-- cycle lists is a flow on one of its edges; n_edges matches the nodes (2..5, none repeated) and
-- the path closes on its first node; each cycle appears once.
WITH edges AS (
    SELECT cycle_id, i, nodes[i] AS src, nodes[i % len(nodes) + 1] AS dst
    FROM (SELECT cycle_id, nodes, unnest(range(1, len(nodes) + 1)) AS i FROM mart.capital_cycles)
),
listed AS (
    SELECT cycle_id, unnest(deal_ids) AS deal_id FROM mart.capital_cycles
)
SELECT e.cycle_id, 'edge without a flow in core.deal_flows' AS problem, e.src || ' -> ' || e.dst AS detail
FROM edges e
WHERE NOT EXISTS (SELECT 1 FROM core.deal_flows f WHERE f.payer = e.src AND f.payee = e.dst)
UNION ALL
SELECT l.cycle_id, 'deal id not a flow on the cycle''s edges', l.deal_id
FROM listed l
WHERE NOT EXISTS (
    SELECT 1 FROM core.deal_flows f JOIN edges e ON e.src = f.payer AND e.dst = f.payee
    WHERE f.deal_id = l.deal_id AND e.cycle_id = l.cycle_id
)
UNION ALL
SELECT cycle_id, 'malformed cycle', path
FROM mart.capital_cycles
WHERE n_edges <> len(nodes) OR n_edges NOT BETWEEN 2 AND 5 OR len(list_distinct(nodes)) <> len(nodes)
   OR path <> array_to_string(list_append(nodes, nodes[1]), ' -> ')
UNION ALL
SELECT cycle_id, 'cycle listed more than once', count(*)::VARCHAR
FROM mart.capital_cycles
GROUP BY cycle_id
HAVING count(*) > 1
ORDER BY 1, 2, 3;
