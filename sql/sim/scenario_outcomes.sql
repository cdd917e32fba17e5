-- The outcomes of one scenario's last simulation run (pipelines/simulate.py prints them).
SELECT outcome, month, value, unit
FROM sim.outcomes
WHERE scenario = $scenario
ORDER BY outcome, month NULLS FIRST;
