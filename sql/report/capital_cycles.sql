-- The capital cycles for the network chart and the report's table: nodes in cycle order, amounts
-- per edge, bottleneck, date span and confirmation (press-only amounts named). Largest known
-- bottleneck first.
SELECT
    cycle_id,
    path,
    n_edges,
    nodes,
    edge_kinds,
    edge_amounts_usd_bn,
    bottleneck_usd_bn,
    bottleneck_edge,
    money_from,
    money_to,
    all_edges_confirmed,
    press_only_edges,
    press_only_amounts,
    deal_ids
FROM mart.capital_cycles
ORDER BY bottleneck_usd_bn DESC NULLS LAST, n_edges, cycle_id;
