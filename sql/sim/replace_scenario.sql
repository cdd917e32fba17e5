-- Replace one scenario's slice of every sim.* table and its status (run inside one transaction).
DELETE FROM sim.scenario_inputs WHERE scenario = $scenario;
INSERT INTO sim.scenario_inputs BY NAME SELECT * FROM scenario_inputs;
DELETE FROM sim.path_quantiles WHERE scenario = $scenario;
INSERT INTO sim.path_quantiles BY NAME SELECT * FROM path_quantiles;
DELETE FROM sim.outcomes WHERE scenario = $scenario;
INSERT INTO sim.outcomes BY NAME SELECT * FROM outcomes;
DELETE FROM sim.sample_paths WHERE scenario = $scenario;
INSERT INTO sim.sample_paths BY NAME SELECT * FROM sample_paths;
DELETE FROM sim.status WHERE part = $scenario;
INSERT INTO sim.status VALUES ($scenario, $status, $reason);
