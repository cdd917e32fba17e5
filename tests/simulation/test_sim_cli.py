"""`perpetuum simulate`: a custom scenario run through simulation_job, against a temporary warehouse
built by the real refresh (2025-01-01..2026-05-29, snapshot prices, without the daily simulation
runs), and the run config of the same run for the launchpad."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
from click.testing import CliRunner

from assets.settings import Settings
from assets.simulation import DEFAULT_N_PATHS, DEFAULT_SEED
from pipelines.cli import cli
from pipelines.definitions import build_definitions
from pipelines.refresh import refresh
from sim_testdata import ROOT

PERPETUUM = Path(sys.executable).with_name("perpetuum")
ARGS = ["--scenario", "base", "--n-paths", "3000", "--seed", "7", "--end-month", "2029-12",
        "--set", "delay_mean_months=9", "--set", "nvidia_loi_probability=0.5"]
RUN_CONFIG = {"ops": {"simulation": {"config": {
    "n_paths": 3000, "seed": 7, "end_month": "2029-12",
    "overrides": {"delay_mean_months": 9.0, "nvidia_loi_probability": 0.5}}}}}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """PERPETUUM_* and DAGSTER_HOME of a warehouse that holds the marts but no sim.* rows yet."""
    folder = tmp_path_factory.mktemp("sim_cli")
    values = {"PERPETUUM_WAREHOUSE": str(folder / "perpetuum.duckdb"), "PERPETUUM_START_DATE": "2025-01-01",
              "PERPETUUM_END_DATE": "2026-05-29", "DAGSTER_HOME": str(folder / "dagster_home")}
    os.makedirs(values["DAGSTER_HOME"])
    with dg.DagsterInstance.ephemeral() as instance:
        refresh(Settings.from_env(values), instance, simulate=False)
    return values


def perpetuum(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(PERPETUUM), *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def custom_run(env) -> subprocess.CompletedProcess:
    return perpetuum(env, "simulate", *ARGS)


def sim_rows(env: dict[str, str], table: str) -> pl.DataFrame:
    with duckdb.connect(env["PERPETUUM_WAREHOUSE"], read_only=True) as conn:
        return conn.sql(f"FROM sim.{table}").pl()


def test_the_command_runs_the_job_for_the_partition_with_the_run_config(env, custom_run, monkeypatch):
    assert custom_run.returncode == 0, custom_run.stderr
    monkeypatch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
    with dg.DagsterInstance.get() as instance:  # the instance the command ran in
        runs = instance.get_runs()
    assert len(runs) == 1 and runs[0].job_name == "simulation_job"
    assert runs[0].status == dg.DagsterRunStatus.SUCCESS
    assert runs[0].tags["dagster/partition"] == "base"
    assert runs[0].run_config["ops"] == RUN_CONFIG["ops"]
    assert "Warning" not in custom_run.stderr  # the dependencies' Beta/Preview/Supersession warnings


def test_the_run_uses_the_custom_settings_and_prints_the_outcomes(env, custom_run):
    inputs = sim_rows(env, "scenario_inputs")
    assert inputs["scenario"].unique().to_list() == ["base"]
    used = {row["parameter"]: row for row in inputs.iter_rows(named=True)}
    assert (used["n_paths"]["value"], used["seed"]["value"], used["horizon_end"]["value"]) == (3000, 7, 202912)
    for name, value in (("delay_mean_months", 9.0), ("nvidia_loi_probability", 0.5)):
        assert used[name]["value"] == value and used[name]["source_or_assumption"] == "run config override"
    assert used["user_ceiling_median_m"]["source_or_assumption"] != "run config override"

    outcomes = sim_rows(env, "outcomes")
    assert outcomes["month"].max() == date(2029, 12, 1)
    printed = custom_run.stdout[custom_run.stdout.index("sim.outcomes, scenario base"):]
    assert "3,000 paths, seed 7, end 2029-12, overrides: delay_mean_months=9, nvidia_loi_probability=0.5" in printed
    for outcome in outcomes["outcome"].unique():
        assert outcome in printed


def test_the_printed_run_config_is_the_run_config_and_valid_for_the_job(env):
    done = perpetuum(env, "simulate", *ARGS, "--print-run-config")
    assert done.returncode == 0, done.stderr
    header, _, body = done.stdout.partition("\n")
    assert header == "# Dagster launchpad: job simulation_job, partition base"
    assert json.loads(body) == RUN_CONFIG
    job = build_definitions(Settings.from_env(env)).resolve_job_def("simulation_job")
    assert dg.validate_run_config(job, json.loads(body))


def test_defaults_fill_the_run_config_and_the_help_states_them(env):
    done = CliRunner().invoke(cli, ["simulate", "--scenario", "bull", "--print-run-config"], env=env)
    assert done.exit_code == 0, done.output
    assert json.loads(done.output.partition("\n")[2]) == {"ops": {"simulation": {"config": {
        "n_paths": DEFAULT_N_PATHS, "seed": DEFAULT_SEED}}}}
    shown = CliRunner().invoke(cli, ["simulate", "--help"]).output
    assert f"(default {DEFAULT_N_PATHS:,})" in shown and f"(default {DEFAULT_SEED})" in shown


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "delay_months=9"], "unknown parameter 'delay_months'; known parameters: user_ceiling_median_m, "),
    (["--set", "delay_mean_months"], "expected NAME=VALUE"),
    (["--set", "delay_mean_months=soon"], "'soon' is not a number"),
    (["--set", "delay_mean_months=1", "--set", "delay_mean_months=2"], "given twice"),
    (["--set", "nvidia_loi_probability=1.5"], "nvidia_loi_probability 1.5 is outside [0, 1]"),
    (["--set", "personal_share_target_yyyymm=202612.5"], "a whole number"),
    (["--end-month", "2029-13"], "is not a month YYYY-MM"),
    (["--n-paths", "0"], "0 is not in the range x>=1"),
    (["--seed", "-1"], "-1 is not in the range x>=0"),
])
def test_bad_arguments_are_refused_with_a_clear_message(args, message, env):
    done = CliRunner().invoke(cli, ["simulate", "--scenario", "base", *args, "--print-run-config"], env=env)
    assert done.exit_code == 2
    assert message in " ".join(done.output.split())
    assert "Traceback" not in done.output and "launchpad" not in done.output


def test_an_unknown_scenario_is_refused(env):
    done = CliRunner().invoke(cli, ["simulate", "--scenario", "moon"], env=env)
    assert done.exit_code == 2
    assert "'moon' is not a scenario; choose from base, bull, bear" in done.output
