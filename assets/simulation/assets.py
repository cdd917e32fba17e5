"""Dagster assets of the simulation: one run per scenario partition, four sim.* tables.

Kept apart from the engine modules so that `import assets.simulation` loads neither Dagster nor
DuckDB.
"""

from datetime import date

import dagster as dg
from pydantic import Field

from ..deals import RegistryResource
from ..metadata import markdown_table
from ..report import warehouse_charts
from ..report.embed import chart_metadata
from ..warehouse import WarehouseResource, run, transaction
from . import DEFAULT_N_PATHS, DEFAULT_SEED, inputs_from_tables, load_scenarios, run_scenario
from .warehouse_inputs import HORIZON_END
from .warehouse_tables import read_input_tables

SCENARIOS = dg.StaticPartitionsDefinition(["base", "bull", "bear"])
SIM_TABLES = ("scenario_inputs", "path_quantiles", "outcomes", "sample_paths")
UPSTREAM = [  # every table the SELECTs in sql/sim/ read
    dg.AssetKey(["core", "prices"]),
    dg.AssetKey(["core", "deal_flows"]),
    dg.AssetKey(["raw", "openai_metrics"]),
    dg.AssetKey(["raw", "deal_terms"]),
    dg.AssetKey(["mart", "commitment_schedule"]),
    dg.AssetKey(["mart", "warrant_tranches"]),
    dg.AssetKey(["mart", "vendor_financing"]),
]
DESCRIPTIONS = {
    "scenario_inputs": "Every parameter the scenario actually used: value, unit, its source or the assumption (with reason), and what it was estimated from.",
    "path_quantiles": "Per scenario, month and metric (cash, revenue, compute spend, GW online, vendor financing, AMD price): the p05/p25/p50/p75/p95 across paths.",
    "outcomes": "Per scenario: probability that outside money is needed by the end of each year 2026-2030, median and p95 amount, median month the loop first stalls, supplier-financed share of compute spend, P(AMD >= 600 USD by 2030-12), expected value of the vested warrant shares.",
    "sample_paths": "200 simulated paths per scenario, month by month, for charts.",
}


class SimulationConfig(dg.Config):
    """Launchpad / run-config knobs (ops.simulation.config); every override is recorded in
    sim.scenario_inputs. `perpetuum simulate --print-run-config` prints them for the launchpad."""

    n_paths: int = Field(default=DEFAULT_N_PATHS, description="Number of simulated paths.")
    seed: int = Field(default=DEFAULT_SEED, description="Random seed: same inputs and seed give identical tables.")
    end_month: str | None = Field(default=None, description="Last simulated month 'YYYY-MM' (default 2030-12).")
    overrides: dict[str, float] = Field(
        default={}, description="Scenario parameters to replace, e.g. {delay_mean_months: 9}; names as in "
                                "data/registry/scenarios.csv.")


@dg.multi_asset(
    name="simulation",
    specs=[
        dg.AssetSpec(["sim", table], description=DESCRIPTIONS[table], deps=UPSTREAM, group_name="simulation",
                     kinds={"polars", "duckdb"}, metadata={"dagster/table_name": f"sim.{table}"},
                     automation_condition=dg.AutomationCondition.eager())
        for table in SIM_TABLES
    ],
    partitions_def=SCENARIOS,
    pool="duckdb",
)
def simulation(context: dg.AssetExecutionContext, config: SimulationConfig, warehouse: WarehouseResource, registry: RegistryResource):
    """The perpetual-motion Monte Carlo for one scenario (the partition): users, ARPU and revenue
    against committed compute spend, GW deployed with random delays, vendor financing per GW, AMD's
    share price as a GBM estimated from core.prices, warrant vesting, and the outside money needed
    whenever cash would fall below zero. Same inputs and seed give identical tables."""
    scenario = context.partition_key
    with warehouse.get_connection() as conn:
        tables = read_input_tables(conn)
    end_month = date.fromisoformat(config.end_month + "-01") if config.end_month else HORIZON_END
    inputs = inputs_from_tables(**tables, end_month=end_month)
    params = load_scenarios(registry.path / "scenarios.csv")[scenario]
    if config.overrides:
        params = params.override(**config.overrides)
    result = run_scenario(inputs, params, scenario, n_paths=config.n_paths, seed=config.seed)
    tables = {t: getattr(result, t) for t in SIM_TABLES}
    with warehouse.get_connection() as conn, transaction(conn):
        run(conn, "sim/replace_scenario.sql", {"scenario": scenario}, **tables)
    context.log.info(f"{scenario}: {config.n_paths} paths, seed {config.seed}")
    with warehouse.get_connection() as conn:  # charts of every scenario stored so far, this one included
        charts = {"path_quantiles": chart_metadata(warehouse_charts.cash_fan, conn, "sim.path_quantiles: cash by scenario"),
                  "outcomes": chart_metadata(warehouse_charts.outside_money, conn, "sim.outcomes: outside money by year")}
    for table, frame in tables.items():
        preview = frame.filter(frame["scenario"] == scenario)
        yield dg.MaterializeResult(
            asset_key=["sim", table],
            metadata={"dagster/partition_row_count": frame.height, "n_paths": config.n_paths, "seed": config.seed,
                      "preview": markdown_table(preview, limit=30 if table == "outcomes" else 10), **charts.get(table, {})},
        )
