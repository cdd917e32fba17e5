"""Run the simulation for one scenario with custom settings, then print that scenario's outcomes.

    .venv/bin/python -m pipelines.simulate --scenario base --n-paths 100000 --seed 7 \\
        --end-month 2029-12 --set delay_mean_months=9 --set nvidia_loi_probability=0.5

Launches `simulation_job` for the scenario's partition through the Dagster instance in
DAGSTER_HOME (default: the project's .dagster/, as in the Makefile; the run shows in the UI)
with the run config of the asset's `SimulationConfig`, then prints sim.outcomes of that scenario
(sql/sim/scenario_outcomes.sql). The run replaces the scenario's slice of the sim.* tables until the
partition runs again (the daily refresh runs it with the defaults). The warehouse must hold the
marts: `make run` first.

`--print-run-config` prints the same run config as YAML for the Dagster launchpad (select the
partition there) and exits without running.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

import dagster as dg
import polars as pl
import yaml

from assets.settings import PROJECT_ROOT, Settings, SettingsError
from assets.simulation import DEFAULT_N_PATHS, DEFAULT_SEED, ScenarioParams, load_scenarios
from assets.simulation.assets import SCENARIOS
from assets.simulation.warehouse_inputs import HORIZON_END
from assets.warehouse import WarehouseResource, query

from pipelines.definitions import build_definitions
from pipelines.refresh import LOG_CONFIG

OP = "simulation"  # the multi-asset's op: run config goes under ops.simulation.config
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
INTEGER_PARAMETERS = {"personal_share_target_yyyymm"}


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def _month(text: str) -> str:
    if not MONTH.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a month YYYY-MM")
    return text


def parser() -> argparse.ArgumentParser:
    known = ", ".join(ScenarioParams.names())
    p = argparse.ArgumentParser(prog="python -m pipelines.simulate", description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", required=True, choices=SCENARIOS.get_partition_keys(),
                   help="the scenario (partition) whose parameters are the starting point")
    p.add_argument("--n-paths", type=_positive, default=DEFAULT_N_PATHS, help=f"paths (default {DEFAULT_N_PATHS:,})")
    p.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--end-month", type=_month, help=f"last simulated month YYYY-MM (default {HORIZON_END:%Y-%m})")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                   help=f"override a scenario parameter (repeatable); one of: {known}")
    p.add_argument("--print-run-config", action="store_true", help="print the launchpad YAML and exit")
    return p


def overrides(pairs: list[str]) -> dict[str, float]:
    """{name: value} from NAME=VALUE pairs; ValueError naming the problem (and the known names)."""
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


def run_config(args: argparse.Namespace, values: dict[str, float]) -> dict:
    """The run config of `simulation_job` (the asset's SimulationConfig) for these arguments."""
    config: dict = {"n_paths": args.n_paths, "seed": args.seed}
    if args.end_month:
        config["end_month"] = args.end_month
    if values:
        config["overrides"] = values
    return {"ops": {OP: {"config": config}}}


class _Quoted(str):
    """A string value written in double quotes (end_month: "2029-12" reads as text in every YAML parser)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Quoted, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"'))


def launchpad_yaml(config: dict) -> str:
    """The run config as YAML for the Dagster launchpad."""
    settings = config["ops"][OP]["config"]
    if "end_month" in settings:
        config = {"ops": {OP: {"config": {**settings, "end_month": _Quoted(settings["end_month"])}}}}
    return yaml.dump(config, Dumper=_Dumper, sort_keys=False, default_flow_style=False)


def main(argv: list[str] | None = None, instance: dg.DagsterInstance | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    try:
        values = overrides(args.overrides)
        settings = Settings.from_env()
    except (ValueError, SettingsError) as exc:
        p.error(str(exc))
    defs = build_definitions(settings)
    try:  # the values' ranges, against the scenario they change
        load_scenarios(defs.resources["registry"].path / "scenarios.csv")[args.scenario].override(**values)
    except ValueError as exc:
        p.error(f"--set: {exc}")
    config = run_config(args, values)
    if args.print_run_config:
        print(f"# Dagster launchpad, job simulation_job, partition {args.scenario}\n" + launchpad_yaml(config), end="")
        return 0

    job = defs.resolve_job_def("simulation_job")
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster"))
    try:
        job.execute_in_process(instance=instance or dg.DagsterInstance.get(), partition_key=args.scenario,
                               run_config={**config, **LOG_CONFIG})
    except dg.DagsterExecutionStepExecutionError as exc:
        print(f"simulation failed: {exc.user_exception}", file=sys.stderr)
        return 1
    warehouse: WarehouseResource = defs.resources["warehouse"]
    with warehouse.get_connection() as conn:
        outcomes = query(conn, "sim/scenario_outcomes.sql", {"scenario": args.scenario})
    print(f"\nsim.outcomes, scenario {args.scenario}: {args.n_paths:,} paths, seed {args.seed}, "
          f"end {args.end_month or f'{HORIZON_END:%Y-%m}'}, overrides: "
          f"{', '.join(f'{k}={v:g}' for k, v in values.items()) or 'none'}")
    with pl.Config(tbl_rows=-1, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True, fmt_str_lengths=40):
        print(outcomes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
