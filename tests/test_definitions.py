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
