"""The perpetual-motion simulation: a Monte Carlo of OpenAI's cash against its compute deals.

No Dagster and no DuckDB in here (numpy and polars only), so the engine is tested and
benchmarked on its own. The flow of one scenario run:

    inputs  = inputs_from_tables(**frames)                     # SimulationInputs (data side)
    params  = load_scenarios(scenarios_csv)["base"]             # ScenarioParams (uncertain side)
    result  = run_scenario(inputs, params, "base", n_paths=20_000, seed=...)
    result.scenario_inputs / .path_quantiles / .outcomes / .sample_paths   # the sim.* tables

`frames` are the results of the SELECTs in sql/sim/ over the raw tables and marts. Two modules
here touch the warehouse and are never imported by the engine: `warehouse_tables` (runs those
SELECTs; also builds a scratch warehouse for tests and benchmarks) and `assets` (the Dagster
multi-asset).

Modules: `inputs` (the input boundary), `warehouse_inputs` (inputs from the warehouse frames,
with `metric_inputs`, `deal_inputs` and `provenance`), `amd_gbm` (GBM estimate from daily
prices), `params` (scenarios), `model` (deterministic tables), `draws` (random numbers per block
of paths), `paths` (the vectorised engine), `buffers` (reused working memory), `aggregate`
(polars tables), `scenario_inputs`, `run` (chunked orchestration), `months` (month arithmetic
and registry periods).
"""

from assets.simulation.inputs import SimulationInputs
from assets.simulation.params import ScenarioParams, load_scenarios
from assets.simulation.run import DEFAULT_N_PATHS, DEFAULT_SEED, SimulationResult, run_scenario, run_scenarios
from assets.simulation.warehouse_inputs import INPUT_TABLES, inputs_from_tables

__all__ = [
    "DEFAULT_N_PATHS",
    "DEFAULT_SEED",
    "INPUT_TABLES",
    "ScenarioParams",
    "SimulationInputs",
    "SimulationResult",
    "inputs_from_tables",
    "load_scenarios",
    "run_scenario",
    "run_scenarios",
]
