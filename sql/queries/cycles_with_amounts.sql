-- The capital cycles with their amounts: every loop of money between the companies (2 to 5 edges)
-- whose flows move within 24 months of each other, its date span, the counted amount of each edge
-- in USD bn (overlapping deals never summed), the bottleneck (the smallest edge; empty when an
-- edge's amount is undisclosed), whether a party confirmed every amount, and the amounts only the
-- press reported. Largest known bottleneck first.
SELECT
    path,
    n_edges,
    money_from,
    money_to,
    edge_amounts_usd_bn,
    bottleneck_usd_bn,
    all_edges_confirmed,
    press_only_amounts,
    out_of_window_deal_ids
FROM mart.capital_cycles
ORDER BY bottleneck_usd_bn DESC NULLS LAST, n_edges, path;
