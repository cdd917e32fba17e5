"""`sim.scenario_inputs`: every figure a scenario run used, with its source or assumption.

Besides the data inputs (`inputs.provenance`, which holds one `payment_model:<deal>` row per deal:
how it is paid, from when to when and why) and the scenario's parameters, each paid deal gets a
`scheduled_payments:<deal>` row: what the simulation pays it within the horizon on a path without
delay and with the LOI on (for own_capex deals this depends on the scenario's cost per GW).
"""

from __future__ import annotations

import polars as pl

from assets.simulation.inputs import SimulationInputs
from assets.simulation.model import Model, state_index
from assets.simulation.months import month_number, yyyymm
from assets.simulation.params import SCENARIOS_FILE, UNITS, ScenarioParams

SCHEMA = {"scenario": pl.String, "parameter": pl.String, "value": pl.Float64, "unit": pl.String,
          "source_or_assumption": pl.String, "estimated_from": pl.String}


def scheduled_payments(model: Model) -> dict[str, float]:
    """Per paid deal: its payments within the horizon with no delay and the LOI on."""
    on_time = int(state_index(1, 0, model.max_delay))
    return {deal: float(model.deal_spend[k, on_time].sum()) for k, deal in enumerate(model.deal_ids)}


def scenario_inputs(scenario: str, inputs: SimulationInputs, params: ScenarioParams, model: Model,
                    n_paths: int, seed: int) -> pl.DataFrame:
    """Data inputs (`inputs.provenance`), the scenario's parameters, scheduled payments and run settings."""
    parameter_rows = [
        (name, float(getattr(params, name)), UNITS[name], params.sources.get(name, "not stated"),
         "run config" if params.sources.get(name, "").startswith("run config") else params.where(name)
         if params.lines else SCENARIOS_FILE)
        for name in ScenarioParams.names()
    ]
    models = dict(inputs.deal_suppliers.select("deal_id", "payment_model").iter_rows())
    payment_rows = [
        (f"scheduled_payments:{deal}", amount, "USD bn",
         f"{models.get(deal, '')}: simulated payments {yyyymm(model.start)}..{yyyymm(model.start + model.n_months - 1)} "
         "with no delay and the LOI on (a delayed path pays less inside the horizon, a path without the LOI "
         "nothing for the LOI's deal)", "sim model")
        for deal, amount in scheduled_payments(model).items()
    ]
    run_rows = [
        ("n_paths", float(n_paths), "paths", "run config", "run config"),
        ("seed", float(seed), "seed", "run config", "run config"),
        ("horizon_start", float(yyyymm(month_number(inputs.start_month))), "YYYYMM",
         "month after the latest reported cash balance: every earlier month is history", "inputs"),
        ("horizon_end", float(yyyymm(month_number(inputs.end_month))), "YYYYMM", "run config (default 2030-12)",
         "run config"),
        ("warrant_valuation_month", float(yyyymm(month_number(inputs.amd_s0_month))), "YYYYMM",
         "month of the latest AMD close: warrant values are discounted to it", "core.prices AMD close"),
    ]
    columns = list(SCHEMA)[1:]
    rows = pl.DataFrame(run_rows + parameter_rows + payment_rows, schema=columns, orient="row")
    return pl.concat([rows, inputs.provenance.select(columns)]).select(
        pl.lit(scenario).alias("scenario"), pl.all())
