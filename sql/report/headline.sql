-- The base case's headline: median and p05-p95 of outside money by the last simulated year end,
-- and P(outside money) by then (sim.outcomes).
SELECT month,
       max(value) FILTER (WHERE outcome = 'outside_money_p50_by') AS p50,
       max(value) FILTER (WHERE outcome = 'outside_money_p05_by') AS p05,
       max(value) FILTER (WHERE outcome = 'outside_money_p95_by') AS p95,
       max(value) FILTER (WHERE outcome = 'p_outside_money_by') AS probability
FROM sim.outcomes
WHERE scenario = 'base' AND outcome IN ('outside_money_p50_by', 'outside_money_p05_by', 'outside_money_p95_by',
                                         'p_outside_money_by')
GROUP BY month
ORDER BY month DESC
LIMIT 1;
