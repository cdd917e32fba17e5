-- Every simulation outcome per scenario (long form; the report pivots scenarios into columns),
-- with each scenario's path count and seed from sim.scenario_inputs.
SELECT
    o.scenario,
    o.outcome,
    o.month,
    o.value,
    o.unit,
    (SELECT max(value) FROM sim.scenario_inputs AS i WHERE i.scenario = o.scenario AND i.parameter = 'n_paths') AS n_paths,
    (SELECT max(value) FROM sim.scenario_inputs AS i WHERE i.scenario = o.scenario AND i.parameter = 'seed') AS seed
FROM sim.outcomes AS o
ORDER BY o.outcome, o.month NULLS FIRST, coalesce(array_position(['bear', 'base', 'bull'], o.scenario), 99), o.scenario;
