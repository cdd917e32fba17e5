"""Fixtures for tests that run real Dagster materializations against a real DuckDB file."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.settings import PROJECT_ROOT, Settings

SNAPSHOT = PROJECT_ROOT / "data" / "snapshot"


@pytest.fixture
def instance() -> dg.DagsterInstance:
    with dg.instance_for_test() as inst:
        yield inst


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings for a warehouse in tmp_path; keyword arguments are PERPETUUM_* names without prefix."""

    def build(**env: str) -> Settings:
        values = {"PERPETUUM_WAREHOUSE": str(tmp_path / "warehouse" / "perpetuum.duckdb")}
        values |= {f"PERPETUUM_{k.upper()}": v for k, v in env.items()}
        return Settings.from_env(values)

    return build


@pytest.fixture(scope="session")
def snapshot_prices() -> pl.DataFrame:
    return pl.read_parquet(SNAPSHOT / "prices.parquet")


def table_hashes(warehouse: Path) -> dict[str, str]:
    """A content hash per table (order-independent), read through a read-only connection."""
    hashes = {}
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        tables = conn.execute("SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL").fetchall()
        for schema, table in tables:
            rows = sorted(map(repr, conn.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()))
            hashes[f"{schema}.{table}"] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return hashes


def fetch_one(warehouse: Path, sql: str, params: list | None = None):
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchone()
