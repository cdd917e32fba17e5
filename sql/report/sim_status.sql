-- Why a part of the simulation is missing: every sim.status row that is not 'built'.
SELECT part, status, reason FROM sim.status WHERE status <> 'built' ORDER BY part;
