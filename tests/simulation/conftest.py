"""Fixtures for the simulation engine tests: the real registry inputs and scenarios."""

from __future__ import annotations

import polars as pl
import pytest

from assets.simulation.inputs import SimulationInputs
from assets.simulation.params import ScenarioParams, load_scenarios
from assets.simulation.registry_inputs import inputs_from_registry
from sim_testdata import REGISTRY, ROOT


@pytest.fixture(scope="session")
def amd_prices() -> pl.DataFrame:
    """AMD's real daily closes from the bundled snapshot."""
    prices = pl.read_parquet(ROOT / "data" / "snapshot" / "prices.parquet")
    return prices.filter(pl.col("ticker") == "AMD").select("trade_date", "close")


@pytest.fixture(scope="session")
def registry_inputs(amd_prices) -> SimulationInputs:
    return inputs_from_registry(REGISTRY, amd_prices)


@pytest.fixture(scope="session")
def scenarios() -> dict[str, ScenarioParams]:
    return load_scenarios(REGISTRY / "scenarios.csv")
