-- The capital cycles with their amounts: every loop of money between the companies (2 to 5 edges),
-- the counted amount of each edge in USD bn (overlapping deals never summed), the bottleneck (the
-- smallest edge; empty when an edge's amount is undisclosed), and whether every edge is confirmed by
-- a party. Largest known bottleneck first.
SELECT
    path,
    n_edges,
    edge_amounts_usd_bn,
    bottleneck_usd_bn,
    bottleneck_edge,
    all_edges_confirmed,
    press_only_edges
FROM mart.capital_cycles
ORDER BY bottleneck_usd_bn DESC NULLS LAST, n_edges, path;
