"""`perpetuum simulate`: a custom scenario, run as `simulation_job` with a run config through Dagster.

The run config is the asset's `SimulationConfig` (ops.simulation.config), the same knobs the Dagster
launchpad offers; the run goes through the Dagster instance in DAGSTER_HOME and shows in the UI.
"""

from __future__ import annotations

import json
import re

import click

OP = "simulation"  # the multi-asset's op: run config goes under ops.simulation.config
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
INTEGER_PARAMETERS = {"personal_share_target_yyyymm"}


def _month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not MONTH.match(value):
        raise click.BadParameter(f"{value!r} is not a month YYYY-MM")
    return value


def overrides(pairs: tuple[str, ...] | list[str]) -> dict[str, float]:
    """{name: value} from NAME=VALUE pairs; ValueError naming the problem (and the known names)."""
    from assets.simulation import ScenarioParams

    known = ScenarioParams.names()
    values: dict[str, float] = {}
    for pair in pairs:
        name, sep, text = (part.strip() for part in pair.partition("="))
        if not sep or not name:
            raise ValueError(f"--set {pair!r}: expected NAME=VALUE")
        if name not in known:
            raise ValueError(f"--set {pair!r}: unknown parameter {name!r}; known parameters: {', '.join(known)}")
        if name in values:
            raise ValueError(f"--set {pair!r}: {name} is given twice")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"--set {pair!r}: {text!r} is not a number") from None
        if name in INTEGER_PARAMETERS and not value.is_integer():
            raise ValueError(f"--set {pair!r}: {name} is a month YYYYMM, a whole number")
        values[name] = value
    return values


def run_config(n_paths: int, seed: int, end_month: str | None, values: dict[str, float]) -> dict:
    """The run config of `simulation_job` (the asset's SimulationConfig)."""
    config: dict = {"n_paths": n_paths, "seed": seed}
    if end_month:
        config["end_month"] = end_month
    if values:
        config["overrides"] = values
    return {"ops": {OP: {"config": config}}}


@click.command(short_help='A custom scenario: simulation_job with your run config, through Dagster.')
@click.option("--scenario", required=True, help="The scenario (a partition of simulation_job: base, bull, bear) "
                                                 "whose parameters are the starting point.")
@click.option("--n-paths", type=click.IntRange(min=1), default=None, help="Paths to simulate (default 20,000).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Random seed (default 20251006).")
@click.option("--end-month", callback=_month, metavar="YYYY-MM", help="Last simulated month (default 2030-12).")
@click.option("--set", "pairs", multiple=True, metavar="NAME=VALUE",
              help="Override a scenario parameter (repeatable); names as in data/registry/scenarios.csv.")
@click.option("--print-run-config", is_flag=True,
              help="Print the run config (JSON, which the Dagster launchpad and `dagster job launch --config` read "
                   "as YAML) and exit without running.")
def simulate(scenario: str, n_paths: int | None, seed: int | None, end_month: str | None,
             pairs: tuple[str, ...], print_run_config: bool) -> None:
    """Run the simulation for one scenario with custom settings, then print its sim.outcomes.

    \b
        perpetuum simulate --scenario base --n-paths 100000 --seed 7 \\
            --end-month 2029-12 --set delay_mean_months=9 --set nvidia_loi_probability=0.5

    The run replaces the scenario's slice of the sim.* tables until the partition runs again (the
    daily refresh runs it with the defaults). The warehouse must hold the marts: `make run` first.
    """
    from assets.simulation import DEFAULT_N_PATHS, DEFAULT_SEED, load_scenarios
    from assets.simulation.assets import SCENARIOS

    from pipelines.cli.common import settings
    from pipelines.definitions import build_definitions

    scenarios = SCENARIOS.get_partition_keys()
    if scenario not in scenarios:
        raise click.BadParameter(f"{scenario!r} is not a scenario; choose from {', '.join(scenarios)}", param_hint="--scenario")
    defs = build_definitions(settings())
    try:
        values = overrides(pairs)
        load_scenarios(defs.resources["registry"].path / "scenarios.csv")[scenario].override(**values)
    except ValueError as exc:  # the names, then the values' ranges against the scenario they change
        raise click.BadParameter(str(exc), param_hint="--set") from None
    n_paths = DEFAULT_N_PATHS if n_paths is None else n_paths
    seed = DEFAULT_SEED if seed is None else seed
    config = run_config(n_paths, seed, end_month, values)
    if print_run_config:
        click.echo(f"# Dagster launchpad: job simulation_job, partition {scenario}")
        click.echo(json.dumps(config, indent=2))
        return
    launch(defs, scenario, config)
    print_outcomes(scenario, config)


def launch(defs, scenario: str, config: dict) -> None:
    """`simulation_job` for the scenario's partition, through the Dagster instance in DAGSTER_HOME."""
    from pipelines.cli.common import dagster_instance
    from pipelines.refresh import LOG_CONFIG

    job = defs.resolve_job_def("simulation_job")
    job.execute_in_process(instance=dagster_instance(), partition_key=scenario, run_config={**config, **LOG_CONFIG})


def print_outcomes(scenario: str, config: dict) -> None:
    """sim.outcomes of the scenario (sql/sim/scenario_outcomes.sql), headed by the run's settings."""
    import polars as pl

    from assets.simulation.warehouse_inputs import HORIZON_END
    from assets.warehouse import sql

    from pipelines.cli.common import read_only, settings

    knobs = config["ops"][OP]["config"]
    with read_only(settings()) as conn:
        outcomes = conn.sql(sql("sim/scenario_outcomes.sql"), params={"scenario": scenario}).pl()
    click.echo(f"\nsim.outcomes, scenario {scenario}: {knobs['n_paths']:,} paths, seed {knobs['seed']}, "
               f"end {knobs.get('end_month') or f'{HORIZON_END:%Y-%m}'}, overrides: "
               f"{', '.join(f'{k}={v:g}' for k, v in knobs.get('overrides', {}).items()) or 'none'}")
    with pl.Config(tbl_rows=-1, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True, fmt_str_lengths=40):
        click.echo(outcomes)
