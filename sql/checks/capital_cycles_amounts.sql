-- Asset check on mart.capital_cycles (no rows = pass): no negative amount, and the bottleneck is
-- the smallest edge amount (null exactly when an edge has no amount).
SELECT cycle_id, path, bottleneck_usd_bn, edge_amounts_usd_bn
FROM mart.capital_cycles
WHERE bottleneck_usd_bn < 0
   OR list_min(edge_amounts_usd_bn) < 0
   OR (bottleneck_usd_bn IS NULL) <> list_contains(list_transform(edge_amounts_usd_bn, lambda a: a IS NULL), true)
   OR bottleneck_usd_bn <> list_min(edge_amounts_usd_bn)
ORDER BY cycle_id;
