"""core.prices: the conformed daily prices every mart reads."""

import hashlib

import dagster as dg
import duckdb

from ..metadata import markdown_table
from ..report import warehouse_charts
from ..report.embed import chart_metadata
from ..warehouse import WarehouseResource, query, run, sql, transaction
from .assets import CORPORATE_ACTIONS, SHARE_PRICES

# The columns in the order of the DDL in sql/core/prices.sql.
CORE_PRICES_COLUMNS = dg.TableSchema(
    columns=[
        dg.TableColumn("ticker", "VARCHAR", description="Yahoo-style symbol"),
        dg.TableColumn("trade_date", "DATE", description="Exchange-local trading day"),
        dg.TableColumn("prev_trade_date", "DATE", description="The ticker's previous trading day (null on its first)"),
        dg.TableColumn("open", "DOUBLE", description="Opening price, listed currency, split-adjusted"),
        dg.TableColumn("high", "DOUBLE", description="Session high"),
        dg.TableColumn("low", "DOUBLE", description="Session low"),
        dg.TableColumn("close", "DOUBLE", description="Traded close, split-adjusted"),
        dg.TableColumn("adj_close", "DOUBLE", description="Close adjusted for splits and dividends (CRSP/Yahoo method, from raw.corporate_actions)"),
        dg.TableColumn(
            "dividend",
            "DOUBLE",
            description="Cash dividend per share (listed currency) that takes effect on this trading day: its ex-date, or "
            "the first trading day after it; the sum if several fall on the day; null on other days",
        ),
        dg.TableColumn("volume", "BIGINT", description="Shares traded"),
        dg.TableColumn("currency", "VARCHAR", description="Listed currency"),
        dg.TableColumn("source", "VARCHAR", description="Source that served the bar"),
        dg.TableColumn("simple_return", "DOUBLE", description="adj_close / previous adj_close - 1 (fraction)"),
        dg.TableColumn("log_return", "DOUBLE", description="ln(adj_close / previous adj_close)"),
    ]
)


def build_stamp() -> str:
    """The table comment of a core.prices built by this code: the digest of sql/core/prices.sql and
    the DuckDB version, since the stored rows depend on both."""
    digest = hashlib.sha256(sql("core/prices.sql").encode()).hexdigest()[:16]
    return f"built by sql/core/prices.sql sha256:{digest}, DuckDB {duckdb.__version__}"


def build_core_prices(conn: duckdb.DuckDBPyConnection) -> bool:
    """Bring core.prices up to date with the raw price tables, inside the caller's transaction.

    Incremental (sql/core/prices.sql); from scratch when the table's stamp is not `build_stamp()`
    (first build, or rows and columns made by another version of the SQL or of DuckDB). Returns
    whether it was from scratch."""
    stamp = build_stamp()
    stamped = query(conn, "core/prices_stamp.sql")["stamp"].to_list()
    from_scratch = stamped != [stamp]
    if from_scratch:
        run(conn, "core/prices_reset.sql")
    run(conn, "core/prices.sql")
    if from_scratch:
        # COMMENT takes no parameters; the stamp is made of the digest and a version number only.
        conn.execute(f"COMMENT ON TABLE core.prices IS '{stamp}'")
    return from_scratch


@dg.asset(
    key=["core", "prices"],
    deps=[SHARE_PRICES, CORPORATE_ACTIONS],
    group_name="market",
    kinds={"duckdb"},
    pool="duckdb",
    metadata={"dagster/column_schema": CORE_PRICES_COLUMNS, "dagster/table_name": "core.prices"},
    code_version="2",
)
def core_prices(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per ticker and trading day with the previous trading day, a dividend-adjusted close
    (recomputed from raw.corporate_actions the same way for every source), the dividend that takes
    effect that day, and daily simple and log returns, ready for the marts. Built by
    sql/core/prices.sql, incrementally: only the tickers whose raw rows or dividends changed are
    recomputed, from their first changed day (from their first day when a dividend changed or
    falls on or after it), with exactly the values of a build from scratch. A table built by
    another version of that SQL or of DuckDB is rebuilt whole. The metadata tells how many tickers
    were rebuilt, updated, removed and left alone, and the rows written. Its chart: the deal
    parties' prices indexed to 100, with the registry's announcement dates marked."""
    with warehouse.get_connection() as conn:
        with transaction(conn):
            from_scratch = build_core_prices(conn)
        build = query(conn, "core/prices_build.sql").row(0, named=True)
        latest = query(conn, "core/prices_latest.sql")
        chart = chart_metadata(warehouse_charts.prices_with_registry_announcements, conn, "core.prices: deal parties")
    changed = build["tickers_rebuilt"] + build["tickers_updated"]
    updated_from = {"updated_from": str(build["updated_from"])} if build["updated_from"] else {}
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(latest["rows"].sum()),
            "build": "from scratch" if from_scratch else "incremental",
            "tickers_rebuilt": build["tickers_rebuilt"],
            "tickers_updated": build["tickers_updated"],
            **updated_from,
            "tickers_removed": build["tickers_removed"],
            "tickers_unchanged": latest.height - changed,
            "rows_written": build["rows_written"],
            "latest_per_ticker": markdown_table(latest, limit=50),
            **chart,
        }
    )
