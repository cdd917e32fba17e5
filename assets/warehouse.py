"""The DuckDB warehouse: one resource, SQL files from sql/, and all-or-nothing transactions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from dagster_duckdb import DuckDBResource
from pydantic import Field

from .settings import PROJECT_ROOT

SQL_DIR = PROJECT_ROOT / "sql"
# DuckDB 2.0 writes storage version 69 by default, which the DuckDB CLI (1.5) cannot open; the
# oldest format with every feature we use keeps the file readable by both.
STORAGE_COMPATIBILITY = "v1.5.0"


class WarehouseBusyError(RuntimeError):
    """Another process holds the DuckDB file's write lock."""


@cache
def sql(name: str) -> str:
    """The text of sql/<name>, e.g. sql("core/prices.sql")."""
    return (SQL_DIR / name).read_text()


class WarehouseResource(DuckDBResource):
    """The project's DuckDB file. Connections create the schemas and raw tables if missing."""

    connection_config: dict[str, Any] = Field(
        default={"storage_compatibility_version": STORAGE_COMPATIBILITY},
        description="DuckDB configuration options for every connection.",
    )

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self.database != ":memory:":
            Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        try:
            with super().get_connection() as conn:
                try:
                    apply_ddl(conn)
                    yield conn
                finally:
                    conn.close()
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise WarehouseBusyError(
                    f"another process holds the warehouse {self.database} (DuckDB allows one writer); "
                    "wait for the running job to finish, or stop it. Details: " + str(exc)
                ) from exc
            raise


def apply_ddl(conn: duckdb.DuckDBPyConnection) -> None:
    """Create schemas and tables that do not exist yet (idempotent)."""
    for path in sorted((SQL_DIR / "ddl").glob("*.sql")):
        conn.execute(sql(f"ddl/{path.name}"))


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, or ROLLBACK on any error so the last good data stays."""
    conn.execute("BEGIN TRANSACTION")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def run(conn: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, object] | None = None, **frames: pl.DataFrame) -> None:
    """Run every statement of sql/<name> with its `$name` parameters taken from `params`.

    Keyword frames are visible to the SQL under their names while it runs.
    """
    params = params or {}
    for view, frame in frames.items():
        conn.register(view, frame)
    for statement in conn.extract_statements(sql(name)):
        conn.execute(statement, {key: params[key] for key in statement.named_parameters})
    # Only on success: after a failed statement DuckDB refuses even this until the ROLLBACK, and
    # registered views die with the connection anyway.
    for view in frames:
        conn.unregister(view)


def query(conn: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, object] | None = None) -> pl.DataFrame:
    """Run the single SELECT in sql/<name> with `$name` parameters; return a polars DataFrame."""
    return conn.sql(sql(name), params=dict(params or {})).pl()
