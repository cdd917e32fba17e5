"""`sim.scenario_inputs`: every figure a scenario run used, with its source or assumption."""

from __future__ import annotations

import polars as pl

from assets.simulation.inputs import SimulationInputs
from assets.simulation.months import month_number, yyyymm
from assets.simulation.params import UNITS, ScenarioParams

SCENARIOS_FILE = "data/registry/scenarios.csv"
SCHEMA = {"scenario": pl.String, "parameter": pl.String, "value": pl.Float64, "unit": pl.String,
          "source_or_assumption": pl.String, "estimated_from": pl.String}


def scenario_inputs(scenario: str, inputs: SimulationInputs, params: ScenarioParams,
                    n_paths: int, seed: int) -> pl.DataFrame:
    """Data inputs (`inputs.provenance`), the scenario's parameters and the run settings."""
    parameter_rows = [
        (name, float(getattr(params, name)), UNITS[name], params.sources.get(name, "not stated"),
         "run config" if params.sources.get(name, "").startswith("run config") else SCENARIOS_FILE)
        for name in ScenarioParams.names()
    ]
    run_rows = [
        ("n_paths", float(n_paths), "paths", "run config", "run config"),
        ("seed", float(seed), "seed", "run config", "run config"),
        ("horizon_start", float(yyyymm(month_number(inputs.start_month))), "YYYYMM",
         "month after the last reported cash balance", "inputs"),
        ("horizon_end", float(yyyymm(month_number(inputs.end_month))), "YYYYMM", "run config (default 2030-12)",
         "run config"),
    ]
    columns = list(SCHEMA)[1:]
    rows = pl.DataFrame(run_rows + parameter_rows, schema=columns, orient="row")
    return pl.concat([rows, inputs.provenance.select(columns)]).select(
        pl.lit(scenario).alias("scenario"), pl.all())
