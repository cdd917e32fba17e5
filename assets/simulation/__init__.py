"""The perpetual-motion simulation: a Monte Carlo of OpenAI's cash against its compute deals.

No Dagster and no DuckDB in here (numpy and polars only), so the engine is tested and
benchmarked on its own. The flow of one scenario run:

    inputs  = inputs_from_registry(registry_dir, amd_prices)   # SimulationInputs (data side)
    params  = load_scenarios(scenarios_csv)["base"]             # ScenarioParams (uncertain side)
    result  = run_scenario(inputs, params, "base", n_paths=20_000, seed=...)
    result.scenario_inputs / .path_quantiles / .outcomes / .sample_paths   # the sim.* tables

Modules: `inputs` (the input boundary), `registry_inputs` (stand-in builder until the marts
exist), `amd_gbm` (GBM estimate from daily prices), `params` (scenarios), `model`
(deterministic tables), `draws` (random numbers per block of paths), `paths` (the vectorised
engine), `buffers` (reused working memory), `aggregate` (polars tables), `scenario_inputs`,
`run` (chunked orchestration), `months` (month arithmetic and registry periods).
"""

from assets.simulation.inputs import SimulationInputs
from assets.simulation.params import ScenarioParams, load_scenarios
from assets.simulation.registry_inputs import inputs_from_registry
from assets.simulation.run import DEFAULT_N_PATHS, DEFAULT_SEED, SimulationResult, run_scenario, run_scenarios

__all__ = [
    "DEFAULT_N_PATHS",
    "DEFAULT_SEED",
    "ScenarioParams",
    "SimulationInputs",
    "SimulationResult",
    "inputs_from_registry",
    "load_scenarios",
    "run_scenario",
    "run_scenarios",
]
