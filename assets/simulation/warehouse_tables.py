"""The simulation's input tables, read from the warehouse with the SELECTs in sql/sim/.

`read_input_tables(conn)` is what the Dagster asset runs; `inputs_from_tables` (warehouse_inputs.py,
no DuckDB) turns the frames into `SimulationInputs`. `scratch_input_tables` builds the upstream
tables (raw registry tables, core.companies, core.deal_flows, core.prices and the mart the
simulation reads) in an in-memory DuckDB with the project's own loader and SQL files, without
Dagster runs, for the engine tests and the benchmark. The daily refresh builds the same tables as
Dagster assets; tests/simulation/test_sim_warehouse.py checks that both give the same frames.

Imports DuckDB (and the registry loader), so the engine modules never import this one.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from assets.deals.registry import FILES
from assets.deals.rules import load_registry
from assets.simulation.warehouse_inputs import INPUT_TABLES
from assets.warehouse import STORAGE_COMPATIBILITY, apply_ddl, query, run

# The SQL that builds the simulation's upstream tables, in dependency order (the Dagster assets
# core_companies, core_deal_flows, core_prices and the marts run the same files).
UPSTREAM_SQL = (
    "core/companies.sql",
    "core/deal_flows.sql",
    "core/prices.sql",
    "macros/periods.sql",
    "mart/warrant_tranches.sql",
)


def read_input_tables(conn: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """Every input table of the simulation: {name: the result of sql/sim/<name>.sql}."""
    return {name: query(conn, f"sim/{name}.sql") for name in INPUT_TABLES}


def scratch_input_tables(registry_dir: str | Path, prices: pl.DataFrame, today: date) -> dict[str, pl.DataFrame]:
    """The input tables from a registry folder and daily bars (`ticker, trade_date, open, high, low,
    close, volume, currency`, e.g. data/snapshot/prices.parquet), built in an in-memory DuckDB.

    The registry is validated as the registry asset does (`today`: the date no registry date may
    lie after); raises RegistryInvalid listing every problem.
    """
    loaded = load_registry(Path(registry_dir), today)
    bars = prices.select("ticker", "trade_date", "open", "high", "low", "close", "volume", "currency").with_columns(
        adj_close=pl.lit(None, pl.Float64), source=pl.lit("scratch"),
        fetched_at=pl.lit(datetime(2000, 1, 1, tzinfo=timezone.utc)))
    with duckdb.connect(":memory:", config={"storage_compatibility_version": STORAGE_COMPATIBILITY}) as conn:
        apply_ddl(conn)
        run(conn, "raw/replace_registry.sql", **{spec.table: loaded.frame(spec.table) for spec in FILES})
        span = {"start": bars["trade_date"].min(), "end": bars["trade_date"].max(),
                "tickers": bars["ticker"].unique().sort().to_list()}
        run(conn, "raw/upsert_share_prices.sql", span, batch=bars)
        for name in UPSTREAM_SQL:
            run(conn, name)
        return read_input_tables(conn)
