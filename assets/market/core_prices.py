"""core.prices: the conformed daily prices every mart reads."""


import dagster as dg

from ..metadata import markdown_table
from ..report import warehouse_charts
from ..report.embed import chart_metadata
from ..warehouse import WarehouseResource, query, run, transaction
from .assets import CORPORATE_ACTIONS, SHARE_PRICES

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
        dg.TableColumn("volume", "BIGINT", description="Shares traded"),
        dg.TableColumn("currency", "VARCHAR", description="Listed currency"),
        dg.TableColumn("source", "VARCHAR", description="Source that served the bar"),
        dg.TableColumn("simple_return", "DOUBLE", description="adj_close / previous adj_close - 1 (fraction)"),
        dg.TableColumn("log_return", "DOUBLE", description="ln(adj_close / previous adj_close)"),
    ]
)


@dg.asset(
    key=["core", "prices"],
    deps=[SHARE_PRICES, CORPORATE_ACTIONS],
    group_name="market",
    kinds={"duckdb"},
    pool="duckdb",
    metadata={"dagster/column_schema": CORE_PRICES_COLUMNS, "dagster/table_name": "core.prices"},
    code_version="1",
)
def core_prices(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per ticker and trading day with the previous trading day, a dividend-adjusted close
    (recomputed from raw.corporate_actions the same way for every source) and daily simple and log
    returns, ready for the marts. Built by sql/core/prices.sql. Its chart: the deal parties' prices
    indexed to 100, with the registry's announcement dates marked."""
    with warehouse.get_connection() as conn:
        with transaction(conn):
            run(conn, "core/prices.sql")
        latest = query(conn, "core/prices_latest.sql")
        chart = chart_metadata(warehouse_charts.prices_with_registry_announcements, conn, "core.prices: deal parties")
    return dg.MaterializeResult(
        metadata={"dagster/row_count": int(latest["rows"].sum()), "latest_per_ticker": markdown_table(latest, limit=50), **chart}
    )
