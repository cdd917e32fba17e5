-- The capital cycles for the network chart and the report's table: nodes in cycle order, amounts
-- per edge, bottleneck and confirmation. Largest known bottleneck first.
SELECT
    cycle_id,
    path,
    n_edges,
    nodes,
    edge_kinds,
    edge_amounts_usd_bn,
    bottleneck_usd_bn,
    bottleneck_edge,
    all_edges_confirmed,
    press_only_edges,
    deal_ids
FROM mart.capital_cycles
ORDER BY bottleneck_usd_bn DESC NULLS LAST, n_edges, cycle_id;
