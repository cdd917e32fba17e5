"""Asset checks of the market tables."""

from datetime import datetime, timezone

import dagster as dg
import polars as pl

from ..metadata import markdown_table
from ..warehouse import WarehouseResource, query
from .assets import SHARE_PRICES
from .resource import PriceSourcesResource
from .recency import last_completed_sessions


@dg.asset_check(asset=SHARE_PRICES, blocking=False)
def prices_are_current(warehouse: WarehouseResource, price_sources: PriceSourcesResource) -> dg.AssetCheckResult:
    """Every configured ticker has a bar for the last session its exchange completed (NYSE or Tokyo calendar,
    close + 2 h grace). A warning, not an error: with the bundled snapshot (ending 2026-10-06, or
    up to 2026-10-09: data/snapshot/README.md) this check honestly reports the data as stale until a live source is
    switched on with PERPETUUM_PRICE_SOURCE."""
    now = datetime.now(timezone.utc)
    with warehouse.get_connection() as conn:
        latest = query(conn, "raw/last_trade_dates.sql")
    tickers = price_sources.tickers
    expected = pl.DataFrame({"ticker": tickers, "expected_session": last_completed_sessions(tickers, now)})
    latest = expected.join(latest, on="ticker", how="left")
    stale = latest.filter(pl.col("last_trade_date").is_null() | (pl.col("last_trade_date") < pl.col("expected_session")))
    return dg.AssetCheckResult(
        passed=stale.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{stale.height} of {latest.height} tickers behind their exchange's last session",
        metadata={"stale_tickers": markdown_table(stale, limit=50), "checked_at": now.isoformat()},
    )
