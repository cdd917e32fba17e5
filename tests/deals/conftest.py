"""Fixtures for the registry tests: a copy of the real registry to break, and warehouses loaded by
real materializations into temporary DuckDB files. Helpers live in registry_testdata.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from tests.deals.registry_testdata import REGISTRY, materialize
from tests.integration.conftest import table_hashes


@pytest.fixture(scope="session")
def session_instance() -> dg.DagsterInstance:
    """An in-memory Dagster instance shared by the registry tests: real runs, without the SQLite
    writes that made each run take 0.5 s instead of 0.2 s."""
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


@pytest.fixture
def registry_copy(tmp_path: Path) -> Path:
    """A copy of the real data/registry to edit."""
    return Path(shutil.copytree(REGISTRY, tmp_path / "registry"))


@pytest.fixture(scope="session")
def loaded_warehouse(tmp_path_factory, session_instance) -> tuple[Path, dict[str, str]]:
    """A warehouse loaded once from the real registry, and its per-table hashes."""
    database = tmp_path_factory.mktemp("loaded") / "perpetuum.duckdb"
    materialize(REGISTRY, database, session_instance)
    return database, table_hashes(database)


@pytest.fixture
def warehouse_copy(loaded_warehouse, tmp_path) -> tuple[Path, dict[str, str]]:
    """A private copy of the loaded warehouse (so a test may try to write to it) and the hashes it must keep."""
    database, hashes = loaded_warehouse
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(database, copy)
    return copy, hashes
