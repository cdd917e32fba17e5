"""Dagster assets of the simulation: one run per scenario partition (four sim.* tables), the base
case beside the published estimates and its sensitivity (sim.anchor_comparison, sim.sensitivity),
and the check that every counted deal is paid or listed.

Too little data to estimate AMD's price model (a universe without AMD, or a short date range) is
not a failure of the refresh: each asset writes an empty slice and a `skipped` row in sim.status
saying what it needs, materializes with that reason in its metadata, and the report shows the
reason in place of the simulation. A bad scenario or anchor file fails the run, naming the file,
line and parameter, and writes nothing. Kept apart from the engine modules so that
`import assets.simulation` loads neither Dagster nor DuckDB.
"""

from datetime import date

import dagster as dg
from pydantic import Field

from ..deals import RegistryResource
from ..metadata import markdown_table
from ..report import warehouse_charts
from ..report.embed import chart_metadata
from ..warehouse import WarehouseResource, query, run, transaction
from . import DEFAULT_N_PATHS, DEFAULT_SEED, inputs_from_tables, run_scenario
from .anchors import anchor_comparison, load_anchors
from .params import read_scenarios
from .run import run_sensitivity
from .warehouse_inputs import HORIZON_END, NotEnoughData
from .warehouse_tables import read_input_tables

SCENARIOS = dg.StaticPartitionsDefinition(["base", "bull", "bear"])
SIM_TABLES = ("scenario_inputs", "path_quantiles", "outcomes", "sample_paths")
UPSTREAM = [  # every table the SELECTs in sql/sim/ read
    dg.AssetKey(["core", "prices"]),
    dg.AssetKey(["core", "deal_flows"]),
    dg.AssetKey(["raw", "openai_metrics"]),
    dg.AssetKey(["raw", "deal_terms"]),
    dg.AssetKey(["mart", "warrant_tranches"]),
]
DESCRIPTIONS = {
    "scenario_inputs": "Every parameter the scenario actually used: value, unit, its source or the assumption (with reason), and what it was estimated from.",
    "path_quantiles": "Per scenario, month and metric (cash, revenue, compute spend, GW online, vendor financing, AMD price): the p05/p25/p50/p75/p95 across paths.",
    "outcomes": "Per scenario: probability that outside money is needed by the end of each year, its p05/p50/p95 amount, median revenue, compute spend and burn per year, GW online, median month the loop first stalls, supplier-financed share (money from suppliers into OpenAI: equity, per-GW investment, vested warrant value / OpenAI's payments to them, same definition as mart.vendor_financing.round_trip_ratio), P(AMD >= 600 at 2030-12) and P(AMD touches 600 by 2030-12), warrant value at vesting prices and discounted.",
    "sample_paths": "200 simulated paths per scenario, month by month, for charts.",
    "anchor_comparison": "Each published estimate of data/registry/anchors.csv (HSBC, The Information, OpenAI, Citi, ...): its value, the base case's p05/p50/p95 on the same definition, their ratio and the driver of the difference in words.",
    "sensitivity": "One-at-a-time swings of every base-case parameter to the low and high end of its stated range: the 2030 median outside money and P(outside money by 2028) at each end (tornado chart in the report).",
}
COMPARISON_TABLES = ("anchor_comparison", "sensitivity")


class SimulationConfig(dg.Config):
    """Launchpad / run-config knobs (ops.simulation.config); every override is recorded in
    sim.scenario_inputs. `perpetuum simulate --print-run-config` prints them for the launchpad."""

    n_paths: int = Field(default=DEFAULT_N_PATHS, description="Number of simulated paths.")
    seed: int = Field(default=DEFAULT_SEED, description="Random seed: same inputs and seed give identical tables.")
    end_month: str | None = Field(default=None, description="Last simulated month 'YYYY-MM' (default 2030-12).")
    overrides: dict[str, float] = Field(
        default={}, description="Scenario parameters to replace, e.g. {delay_mean_months: 9}; names as in "
                                "data/registry/scenarios.csv.")


def _scenarios(registry: RegistryResource):
    try:
        return read_scenarios(registry.path / "scenarios.csv")
    except ValueError as exc:
        raise dg.Failure(description=f"data/registry/{exc}; nothing was written", allow_retries=False) from exc


def _inputs(warehouse: WarehouseResource, config: SimulationConfig):
    with warehouse.get_connection() as conn:
        tables = read_input_tables(conn)
    end_month = date.fromisoformat(config.end_month + "-01") if config.end_month else HORIZON_END
    return inputs_from_tables(**tables, end_month=end_month)


def _spec(table: str) -> dg.AssetSpec:
    """The asset of one sim.* table: its description, the simulation's upstream tables, eager automation."""
    return dg.AssetSpec(["sim", table], description=DESCRIPTIONS[table], deps=UPSTREAM, group_name="simulation",
                        kinds={"polars", "duckdb"}, metadata={"dagster/table_name": f"sim.{table}"},
                        automation_condition=dg.AutomationCondition.eager())


def _empty(conn, table: str):
    return conn.sql(f"SELECT * FROM sim.{table} LIMIT 0").pl()


@dg.multi_asset(
    name="simulation",
    specs=[_spec(table) for table in SIM_TABLES],
    partitions_def=SCENARIOS,
    pool="duckdb",
)
def simulation(context: dg.AssetExecutionContext, config: SimulationConfig, warehouse: WarehouseResource, registry: RegistryResource):
    """The perpetual-motion Monte Carlo for one scenario (the partition): every counted deal paid by its
    payment model (cloud rent as delivered, own systems per GW at the vendor's cost), the NVIDIA LOI's
    GW and money together, revenue capped by demand and by GW online, starting from the latest
    reported cash, AMD's share price as a GBM from its latest close, warrant vesting on GW and price,
    and the outside money needed whenever cash would fall below zero. Same inputs and seed give
    identical tables. Skipped (empty slice, reason in sim.status) when AMD's prices are too short."""
    scenario = context.partition_key
    params = _scenarios(registry)[0][scenario]
    if config.overrides:
        try:
            params = params.override(**config.overrides)
        except ValueError as exc:
            raise dg.Failure(description=f"run config overrides: {exc}; nothing was written", allow_retries=False) from exc
    try:
        inputs = _inputs(warehouse, config)
    except NotEnoughData as exc:
        with warehouse.get_connection() as conn, transaction(conn):
            run(conn, "sim/replace_scenario.sql", {"scenario": scenario, "status": "skipped", "reason": str(exc)},
                **{t: _empty(conn, t) for t in SIM_TABLES})
        context.log.warning(f"{scenario}: simulation skipped: {exc}")
        for table in SIM_TABLES:
            yield dg.MaterializeResult(asset_key=["sim", table], metadata={"skipped": str(exc), "dagster/partition_row_count": 0})
        return
    try:
        result = run_scenario(inputs, params, scenario, n_paths=config.n_paths, seed=config.seed)
    except ValueError as exc:
        raise dg.Failure(description=f"{exc}; nothing was written", allow_retries=False) from exc
    tables = {t: getattr(result, t) for t in SIM_TABLES}
    with warehouse.get_connection() as conn, transaction(conn):
        run(conn, "sim/replace_scenario.sql", {"scenario": scenario, "status": "built", "reason": None}, **tables)
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


@dg.multi_asset(
    name="simulation_comparison",
    specs=[_spec(table) for table in COMPARISON_TABLES],
    pool="duckdb",
)
def simulation_comparison(context: dg.AssetExecutionContext, config: SimulationConfig, warehouse: WarehouseResource,
                          registry: RegistryResource):
    """The base case beside the published estimates (sim.anchor_comparison, anchors.csv) and the
    one-at-a-time sensitivity of its headline to every scenario parameter (sim.sensitivity), both on
    the base scenario's paths (same seed). Skipped like the simulation when AMD's prices are too short."""
    scenarios, ranges = _scenarios(registry)
    try:
        anchors = load_anchors(registry.path / "anchors.csv")
    except ValueError as exc:
        raise dg.Failure(description=f"data/registry/{exc}; nothing was written", allow_retries=False) from exc
    status, reason = "built", None
    try:
        inputs = _inputs(warehouse, config)
        base = run_scenario(inputs, scenarios["base"], "base", n_paths=config.n_paths, seed=config.seed)
        tables = {"anchor_comparison": anchor_comparison(anchors, base.summaries["base"], inputs),
                  "sensitivity": run_sensitivity(inputs, scenarios["base"], ranges["base"], "base",
                                                 n_paths=config.n_paths, seed=config.seed)}
    except NotEnoughData as exc:
        status, reason = "skipped", str(exc)
        with warehouse.get_connection() as conn:
            tables = {t: _empty(conn, t) for t in COMPARISON_TABLES}
        context.log.warning(f"comparison skipped: {exc}")
    except ValueError as exc:
        raise dg.Failure(description=f"{exc}; nothing was written", allow_retries=False) from exc
    with warehouse.get_connection() as conn, transaction(conn):
        run(conn, "sim/replace_comparison.sql", {"status": status, "reason": reason}, **tables)
    for table, frame in tables.items():
        yield dg.MaterializeResult(asset_key=["sim", table], metadata={
            "dagster/row_count": frame.height, **({"skipped": reason} if reason else {}),
            "preview": markdown_table(frame, limit=40)})


@dg.asset_check(asset=dg.AssetKey(["sim", "scenario_inputs"]), blocking=False, pool="duckdb")
def every_counted_deal_is_paid_or_listed(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Every counted deal with OpenAI as a party has a `payment_model:<deal>` row in sim.scenario_inputs
    (paid on a stated schedule, or listed with the reason it is left out)."""
    with warehouse.get_connection() as conn:
        found = query(conn, "sim/check_payment_models.sql")
    return dg.AssetCheckResult(
        passed=found.is_empty(),
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{found.height} counted deal(s) neither paid nor listed" if found.height else None,
        metadata={"failing_rows": found.height, "rows": markdown_table(found, limit=50)},
    )
