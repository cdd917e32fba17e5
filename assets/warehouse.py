"""The DuckDB warehouse: one resource, SQL files from sql/, and all-or-nothing transactions.

Opening the file is checked before it is trusted (`open_warehouse`): a path that is not a DuckDB
database (a folder, an empty, text or SQLite file), a damaged file, a read-only file or folder,
and a file another process holds each end in one `WarehouseError` line naming the file, within
seconds. DuckDB's extension autoinstall and autoload are off on every connection, so no file
can make it download anything.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import polars as pl
from dagster_duckdb import DuckDBResource
from pydantic import Field

from .settings import PROJECT_ROOT

SQL_DIR = PROJECT_ROOT / "sql"
# DuckDB 2.0 writes storage version 69 by default, which the DuckDB CLI (1.5) cannot open; the
# oldest format with every feature we use keeps the file readable by both.
STORAGE_COMPATIBILITY = "v1.5.0"
# Never fetch or load an extension on the fly (a SQLite file would make DuckDB try to): every
# connection, the read-only ones of `perpetuum query` included.
NO_EXTENSIONS = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
CONNECTION_CONFIG = {"storage_compatibility_version": STORAGE_COMPATIBILITY, **NO_EXTENSIONS}
DEFAULT_WAIT_SECONDS = 5.0
# Bytes 8-11 of every DuckDB database file (its main header's magic).
DUCKDB_MAGIC = b"DUCK"
LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)(?: by user (?P<user>\S+?))?\.?(?:\s|$)")
READ_ONLY = ("Read-only file system", "Permission denied", "read-only")
DAMAGED = ("Corrupt", "checksum", "Could not read enough bytes", "MetadataReader", "not a valid DuckDB database",
           "Serialization Error", "INTERNAL Error", "FATAL Error")
WAIT_NOTICE_EVERY = 2.0  # seconds between two "waiting for the warehouse" lines
# A holder that is one of this project's own processes (`make run`, a Dagster run worker or the
# UI's code server) shares the `duckdb` pool: wait for it longer, saying so less often.
OURS = re.compile(r"pipelines[./]refresh|^dagster")  # in the program name or its first arguments
OURS_WAIT_SECONDS = 600.0
OURS_NOTICE_EVERY = 30.0
log = dg.get_dagster_logger("warehouse")


class WarehouseError(RuntimeError):
    """The warehouse file cannot be used; the message is one line naming the file and what to do."""


class WarehouseBusyError(WarehouseError):
    """Another process holds the DuckDB file's write lock (longer than the configured wait)."""


@cache
def sql(name: str) -> str:
    """The text of sql/<name>, e.g. sql("core/prices.sql")."""
    return (SQL_DIR / name).read_text()


class WarehouseResource(DuckDBResource):
    """The project's DuckDB file. Connections create the schemas and raw tables if missing."""

    connection_config: dict[str, Any] = Field(
        default=CONNECTION_CONFIG, description="DuckDB configuration options for every connection."
    )
    wait_seconds: float = Field(
        default=DEFAULT_WAIT_SECONDS,
        description="How long a connection waits for another process that holds the file before it fails "
                    "(PERPETUUM_WAREHOUSE_WAIT); the holder is named at once and every few seconds while waiting.",
    )

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        conn = open_warehouse(self.database, {**CONNECTION_CONFIG, **self.connection_config}, self.wait_seconds)
        try:
            try:
                verify_once(conn, self.database)  # before the DDL, whose ALTERs may write (and checkpoint) the file
                apply_ddl(conn)
            except duckdb.Error as exc:
                raise WarehouseError(describe_error(self.database, exc)) from None
            yield conn
        finally:
            conn.close()


def open_warehouse(database: str, config: Mapping[str, Any], wait_seconds: float = DEFAULT_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """A connection to `database`, or a `WarehouseError` saying in one line why there is none.

    The file's header is read first (a DuckDB file has its magic at bytes 8-11), so a foreign file
    is named for what it is. While another process holds the file, this waits, logging the holder
    at once and every few seconds, then raises `WarehouseBusyError`: after `wait_seconds` for any
    process, after OURS_WAIT_SECONDS for another refresh or Dagster run of this project (their steps
    take the `duckdb` pool one at a time and hand the file on between steps)."""
    if database == ":memory:":
        return duckdb.connect(database, config=dict(config))
    path = Path(database)
    _check_path(path)
    started = time.monotonic()
    noticed = None
    while True:
        try:
            return duckdb.connect(str(path), config=dict(config))
        except duckdb.Error as exc:
            found = lock_holder(str(exc))
            if found is None:
                raise WarehouseError(describe_error(database, exc)) from None
            holder, ours = found
            limit = max(wait_seconds, OURS_WAIT_SECONDS) if ours else wait_seconds
            now = time.monotonic()
            if now - started >= limit:
                raise WarehouseBusyError(
                    f"warehouse {path} is held by another process: {holder}; waited {limit:g} s. Wait for it "
                    "to finish and run again, or set PERPETUUM_WAREHOUSE_WAIT=<seconds> to wait longer"
                ) from None
            if noticed is None or now - noticed >= (OURS_NOTICE_EVERY if ours else WAIT_NOTICE_EVERY):
                whose = "another refresh or Dagster run: its steps hand the file on" if ours else "PERPETUUM_WAREHOUSE_WAIT"
                log.warning(f"waiting for the warehouse {path}: {holder} holds it; giving up in "
                            f"{limit - (now - started):.0f} s ({whose})")
                noticed = now
            time.sleep(0.1)


def _check_path(path: Path) -> None:
    """Refuse what is not a DuckDB file, and a folder that cannot hold one, before DuckDB sees it."""
    if path.is_dir():
        raise WarehouseError(f"warehouse {path} is a directory, not a DuckDB database file: point PERPETUUM_WAREHOUSE "
                             "at a file, e.g. warehouse/perpetuum.duckdb")
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"warehouse {path} cannot be created: {exc.strerror} ({path.parent}); make the folder "
                                 "writable, or point PERPETUUM_WAREHOUSE elsewhere") from None
        return
    try:
        with open(path, "rb") as file:
            head = file.read(64)
    except OSError as exc:
        raise WarehouseError(f"warehouse {path} cannot be read: {exc.strerror}") from None
    if head[8:12] != DUCKDB_MAGIC:
        raise WarehouseError(f"warehouse {path} is not a DuckDB database: it is {_what_is(head)}. Point "
                             "PERPETUUM_WAREHOUSE at the project's DuckDB file, or move this file away and `make run` "
                             "creates a new warehouse")


def _what_is(head: bytes) -> str:
    if not head:
        return "an empty file (0 bytes)"
    if head.startswith(b"SQLite format 3\0"):
        return "a SQLite database"
    text = head.decode("utf-8", errors="replace")
    if text.isprintable() or all(c.isprintable() or c.isspace() for c in text):
        return f"a text file (it starts {text.split(chr(10))[0][:40]!r})"
    return f"a file of another kind (it starts {head[:16].hex(' ')})"


def lock_holder(message: str) -> tuple[str, bool] | None:
    """From DuckDB's lock error: ('PID 1234 (python -m pipelines.refresh, user root)', whether that
    process is one of this project's own); None for other errors."""
    match = LOCK_HOLDER.search(message)
    if match is None:
        return None if "Could not set lock" not in message else ("an unnamed process", False)
    pid = int(match["pid"])
    try:
        argv = [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")]
        command = " ".join(" ".join([Path(argv[0]).name, *argv[1:]]).split())[:120]
    except (OSError, IndexError):
        argv, command = [], match["program"]
    ours = any(OURS.search(arg) for arg in [Path(a).name for a in argv[:2]] + argv[1:3])
    user = f", user {match['user']}" if match["user"] else ""
    return f"PID {pid} ({command}{user})", ours


def describe_error(database: str, exc: duckdb.Error) -> str:
    """One line for a DuckDB error met while opening or checking the file."""
    detail = " ".join(str(exc).split())
    if any(marker in detail for marker in READ_ONLY):
        return (f"warehouse {database} cannot be written: {detail}. Make the file and its folder writable, or point "
                "PERPETUUM_WAREHOUSE elsewhere")
    if any(marker in detail for marker in DAMAGED):
        return (f"warehouse {database} is damaged: {detail}. Restore it from a copy, or move it away and `make run` "
                "builds a new one (every price day fetched again)")
    return f"warehouse {database} cannot be opened: {detail}"


_verified: set[str] = set()


def verify_once(conn: duckdb.DuckDBPyConnection, database: str) -> None:
    """`verify` the first connection of this process to each file."""
    key = str(Path(database).resolve()) if database != ":memory:" else None
    if key is None or key in _verified:
        return
    tables, rows, seconds = verify(conn)
    _verified.add(key)
    log.info(f"warehouse {database}: every value of its {tables} tables read back ({rows} rows, {seconds:.2f} s)")


def verify(conn: duckdb.DuckDBPyConnection) -> tuple[int, int, float]:
    """Read every value of every table (sql/meta/verify_table.sql): DuckDB checks each block's
    checksum as it reads it, and a block beyond the end of a truncated file cannot be read, so a
    damaged file raises here. Returns (tables, rows, seconds)."""
    started = time.monotonic()
    names = query(conn, "meta/tables.sql")["table_name"].to_list()
    rows = sum(query(conn, "meta/verify_table.sql", {"table": name})["rows"][0] for name in names)
    return len(names), rows, time.monotonic() - started


def apply_ddl(conn: duckdb.DuckDBPyConnection) -> None:
    """Create schemas and tables that do not exist yet (idempotent)."""
    for path in sorted((SQL_DIR / "ddl").glob("*.sql")):
        conn.execute(sql(f"ddl/{path.name}"))


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, or ROLLBACK on any error so the last good data stays.

    Inside an asset's step, the COMMIT also records what the step's tables were built from
    (assets/warehouse_state.py), in the same transaction."""
    from .warehouse_state import record_step_builds  # it imports this module

    conn.execute("BEGIN TRANSACTION")
    try:
        yield conn
        record_step_builds(conn)
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
