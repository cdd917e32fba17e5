"""Fixtures shared by the mart tests (registry marts and flow marts): one real warehouse per session.

`base_warehouse` runs the real refresh (bundled snapshot prices, 2024-01-01..2026-05-29) and the
registry assets into a temporary DuckDB file, once per session. Each mart test module then
materializes its own mart assets into it with `materialize_marts` (a session fixture of its own),
so the modules stay independent of each other's assets.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import dagster as dg
import pytest

from assets.deals import REGISTRY_ASSETS, REGISTRY_CHECKS, RegistryResource
from assets.settings import Settings
from assets.warehouse import WarehouseResource
from pipelines.refresh import refresh

START_DATE = "2024-01-01"  # the event study estimates over up to 250 sessions before its first 2025 events
END_DATE = "2026-05-29"
REGISTRY_TODAY = "2026-11-23"  # the registry's cut-off: no registry date lies after it


@pytest.fixture(scope="session")
def mart_instance() -> dg.DagsterInstance:
    """An in-memory Dagster instance: real runs, without SQLite writes (3x faster)."""
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


@pytest.fixture(scope="session")
def mart_settings(tmp_path_factory) -> Settings:
    folder = tmp_path_factory.mktemp("marts")
    return Settings.from_env(
        {
            "PERPETUUM_WAREHOUSE": str(folder / "perpetuum.duckdb"),
            "PERPETUUM_START_DATE": START_DATE,
            "PERPETUUM_END_DATE": END_DATE,
        }
    )


def mart_resources(warehouse: Path) -> dict[str, dg.ConfigurableResource]:
    return {
        "warehouse": WarehouseResource(database=str(warehouse)),
        "registry": RegistryResource(today=REGISTRY_TODAY),
    }


def materialize_marts(assets: Sequence, warehouse: Path, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """Materialize `assets` (assets and asset checks) into `warehouse`; upstream tables must exist."""
    return dg.materialize(assets, resources=mart_resources(warehouse), instance=instance, raise_on_error=False)


@pytest.fixture(scope="session")
def base_warehouse(mart_settings: Settings, mart_instance: dg.DagsterInstance) -> Path:
    """The real refresh (prices from the bundled snapshot) plus the registry tables, once per session."""
    refresh(mart_settings, mart_instance, simulate=False)
    result = materialize_marts([*REGISTRY_ASSETS, *REGISTRY_CHECKS], mart_settings.warehouse, mart_instance)
    assert result.success, "the registry assets failed"
    return mart_settings.warehouse
