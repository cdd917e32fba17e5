-- The tornado chart's bars: per outcome and parameter, the headline at the low and high end of the
-- parameter's range, largest swing first (sim.sensitivity).
SELECT outcome, outcome_unit, parameter, unit, low, high, at_value, at_low, at_high, swing
FROM sim.sensitivity
ORDER BY outcome, swing DESC, parameter;
