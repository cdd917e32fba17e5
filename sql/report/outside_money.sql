-- Probability that OpenAI has needed outside money by the end of each year, per scenario, with the
-- median and p95 cumulative amount (USD bn), from sim.outcomes.
SELECT
    scenario,
    year(month) AS year_end,
    max(value) FILTER (WHERE outcome = 'p_outside_money_by') AS p_outside_money,
    max(value) FILTER (WHERE outcome = 'outside_money_p50_by') AS median_usd_bn,
    max(value) FILTER (WHERE outcome = 'outside_money_p95_by') AS p95_usd_bn
FROM sim.outcomes
WHERE outcome IN ('p_outside_money_by', 'outside_money_p50_by', 'outside_money_p95_by')
GROUP BY scenario, year_end
ORDER BY coalesce(array_position(['bear', 'base', 'bull'], scenario), 99), scenario, year_end;
