"""The code location loads, the way `dagster dev -w workspace.yaml` loads it."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg

from assets.settings import PROJECT_ROOT, Settings
from pipelines.definitions import build_definitions


def test_definitions_validate_loadable():
    defs = build_definitions(Settings.from_env({}))
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert {"raw/share_prices", "raw/corporate_actions", "core/prices"} <= keys


def test_every_asset_has_a_description():
    defs = build_definitions(Settings.from_env({}))
    graph = defs.resolve_asset_graph()
    missing = [k.to_user_string() for k in graph.get_all_asset_keys() if not graph.get(k).description]
    assert missing == []


def test_workspace_yaml_loads_with_the_dagster_cli(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    cli = os.path.join(os.path.dirname(sys.executable), "dagster")
    done = subprocess.run(
        [cli, "definitions", "validate", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_invalid_configuration_fails_at_load_naming_the_variable(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "PERPETUUM_PRICE_SOURCE": "bloomberg"}
    cli = os.path.join(os.path.dirname(sys.executable), "dagster")
    done = subprocess.run(
        [cli, "definitions", "validate", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode != 0
    assert "PERPETUUM_PRICE_SOURCE" in done.stdout + done.stderr


def _graph():
    return build_definitions(Settings.from_env({})).resolve_asset_graph()


def test_every_asset_has_owners_kinds_and_code_references():
    graph = _graph()
    for key in graph.get_all_asset_keys():
        node, name = graph.get(key), key.to_user_string()
        assert node.owners == ["team:perpetuum"], name
        assert node.kinds, f"{name} has no kinds"
        references = node.metadata["dagster/code_references"].code_references
        python = [r for r in references if r.file_path.endswith(".py")]
        assert python and all(os.path.isfile(r.file_path) and r.line_number for r in python), name
        # Every raw table is validated with pandera before it is written (sources -> polars -> pandera -> raw).
        if key.path[0] == "raw":
            assert {"pandera", "polars", "duckdb"} <= node.kinds, f"{name}: {sorted(node.kinds)}"


def test_sql_code_references_point_at_the_statement_that_writes_the_table():
    graph = _graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        table = str(node.metadata.get("dagster/table_name", ""))
        sql_refs = [r for r in node.metadata["dagster/code_references"].code_references if r.file_path.endswith(".sql")]
        if key.path[0] in ("core", "mart"):
            assert sql_refs, f"{key.to_user_string()} has no SQL reference"
        for ref in sql_refs:
            line = open(ref.file_path, encoding="utf-8").read().splitlines()[ref.line_number - 1]
            assert table in line, f"{ref.file_path}:{ref.line_number}: {line!r} does not write {table}"


def test_jobs_schedules_and_sensors():
    defs = build_definitions(Settings.from_env({}))
    daily, full = defs.resolve_job_def("daily_refresh"), defs.resolve_job_def("full_rebuild")
    # full_rebuild: the same assets as the daily refresh, meant for every partition at once.
    assert full.asset_layer.executable_asset_keys == daily.asset_layer.executable_asset_keys
    assert full.partitions_def == daily.partitions_def
    assert not any(k.path[0] == "sim" for k in full.asset_layer.executable_asset_keys)
    sensors = {s.name: s for s in defs.get_repository_def().sensor_defs}
    assert sensors["run_failure_log_sensor"].default_status == dg.DefaultSensorStatus.RUNNING
    assert sensors["sec_filings_sensor"].default_status == dg.DefaultSensorStatus.STOPPED  # offline by default
    # The simulation's eager condition is evaluated by a sensor that is on by default (Dagster's
    # default_automation_condition_sensor would start stopped).
    assert sensors["automation_sensor"].default_status == dg.DefaultSensorStatus.RUNNING
    assert "default_automation_condition_sensor" not in sensors
