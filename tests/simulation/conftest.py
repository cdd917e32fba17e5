"""Fixtures for the simulation engine tests: inputs built from the real registry, and the scenarios.

Inputs come the production way: the registry files and the bundled snapshot prices are loaded
into an in-memory DuckDB, the core tables and marts are built with the project's SQL, the SELECTs
in sql/sim/ read them (`scratch_input_tables`) and `inputs_from_tables` turns the frames into
`SimulationInputs` (about 0.3 s, no Dagster runs).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from assets.simulation.inputs import SimulationInputs
from assets.simulation.params import ScenarioParams, load_scenarios
from assets.simulation.warehouse_inputs import inputs_from_tables
from assets.simulation.warehouse_tables import scratch_input_tables
from sim_testdata import REGISTRY, REGISTRY_TODAY, ROOT


@pytest.fixture(scope="session")
def snapshot_prices() -> pl.DataFrame:
    """The bundled snapshot's real daily bars (AMD 2020-01-02 .. 2026-05-29 among them)."""
    return pl.read_parquet(ROOT / "data" / "snapshot" / "prices.parquet")


@pytest.fixture(scope="session")
def input_tables(snapshot_prices) -> Callable[[Path], dict[str, pl.DataFrame]]:
    """`tables(registry_folder)`: the frames of sql/sim/*.sql over a scratch warehouse of that registry."""
    return lambda folder: scratch_input_tables(folder, snapshot_prices, REGISTRY_TODAY)


@pytest.fixture(scope="session")
def build_inputs(input_tables) -> Callable[[Path], SimulationInputs]:
    """`build(registry_folder)`: the simulation inputs of that registry and the snapshot prices."""
    return lambda folder: inputs_from_tables(**input_tables(folder))


@pytest.fixture(scope="session")
def registry_tables(input_tables) -> dict[str, pl.DataFrame]:
    return input_tables(REGISTRY)


@pytest.fixture(scope="session")
def registry_inputs(registry_tables) -> SimulationInputs:
    return inputs_from_tables(**registry_tables)


@pytest.fixture(scope="session")
def scenarios() -> dict[str, ScenarioParams]:
    return load_scenarios(REGISTRY / "scenarios.csv")
