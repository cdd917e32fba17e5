-- Replace the anchor comparison, the sensitivity table and their status (one transaction).
DELETE FROM sim.anchor_comparison;
INSERT INTO sim.anchor_comparison BY NAME SELECT * FROM anchor_comparison;
DELETE FROM sim.sensitivity;
INSERT INTO sim.sensitivity BY NAME SELECT * FROM sensitivity;
DELETE FROM sim.status WHERE part = 'comparison';
INSERT INTO sim.status VALUES ('comparison', $status, $reason);
