-- How long can the loop run? Per scenario and year-end: the probability that OpenAI has needed
-- outside money by then (cash would otherwise have fallen below zero), and how much (median and
-- p95 across paths, USD bn, cumulative), from the Monte Carlo in sim.outcomes.
SELECT
    scenario,
    year(month) AS year_end,
    round(max(value) FILTER (WHERE outcome = 'p_outside_money_by'), 3) AS p_outside_money,
    round(max(value) FILTER (WHERE outcome = 'outside_money_p50_by'), 1) AS median_usd_bn,
    round(max(value) FILTER (WHERE outcome = 'outside_money_p95_by'), 1) AS p95_usd_bn
FROM sim.outcomes
WHERE outcome IN ('p_outside_money_by', 'outside_money_p50_by', 'outside_money_p95_by')
  AND year(month) >= 2026
GROUP BY scenario, year_end
ORDER BY array_position(['bear', 'base', 'bull'], scenario), year_end;
