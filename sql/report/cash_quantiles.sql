-- The simulation's cash fan: per scenario and month, the p05/p25/p50/p75/p95 of OpenAI's cash
-- across paths (USD bn). Scenarios in bear, base, bull order, others after.
SELECT scenario, month, unit, p05, p25, p50, p75, p95
FROM sim.path_quantiles
WHERE metric = 'cash'
ORDER BY coalesce(array_position(['bear', 'base', 'bull'], scenario), 99), scenario, month;
