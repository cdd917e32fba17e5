"""Dagster assets of the market domain: daily share prices, corporate actions, core.prices."""


from datetime import date, datetime, timedelta, timezone

import dagster as dg
import polars as pl

from ..metadata import column_schema, markdown_table
from ..validation import ValidationFailed, validate
from ..warehouse import WarehouseResource, run, transaction
from .chain import AllSourcesFailed, UniverseBatch, fetch_universe
from .resource import PriceSourcesResource
from .schemas import CorporateActions, SharePrices

SHARE_PRICES = dg.AssetKey(["raw", "share_prices"])
CORPORATE_ACTIONS = dg.AssetKey(["raw", "corporate_actions"])
PRICE_DECIMALS = 4  # sources deliver float32 artefacts (203.7100067138672 for 203.71)


def build_price_ingest(partitions_def: dg.DailyPartitionsDefinition) -> dg.AssetsDefinition:
    """The partitioned ingest of prices and corporate actions, one fetch for both tables."""

    @dg.multi_asset(
        name="share_prices_ingest",
        specs=[
            dg.AssetSpec(
                SHARE_PRICES,
                description=(
                    "Daily bars (open, high, low, close, adj_close, volume) of every ticker in "
                    "PERPETUUM_TICKERS, one partition per calendar day (weekends and holidays are "
                    "valid empty partitions), from the configured source chain (bundled snapshot by "
                    "default). Validated with pandera; each batch is one transaction."
                ),
                group_name="market",
                kinds={"duckdb", "polars", "pandera"},
                metadata={"dagster/column_schema": column_schema(SharePrices), "dagster/table_name": "raw.share_prices"},
            ),
            dg.AssetSpec(
                CORPORATE_ACTIONS,
                description="Splits (new shares per old share) and cash dividends (per share) by ex-date, from the same fetch as the prices.",
                group_name="market",
                kinds={"duckdb", "polars", "pandera"},
                metadata={"dagster/column_schema": column_schema(CorporateActions), "dagster/table_name": "raw.corporate_actions"},
            ),
        ],
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool="duckdb",
    )
    def share_prices_ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, price_sources: PriceSourcesResource
    ):
        window = context.partition_time_window
        start, end = window.start.date(), window.end.date() - timedelta(days=1)
        context.log.info(f"fetching {len(price_sources.tickers)} tickers {start}..{end} via {price_sources.chain_name}")
        try:
            batch = fetch_universe(price_sources.build_chain(), price_sources.tickers, start, end, context.log.info)
            prices, actions = validated(batch, datetime.now(timezone.utc))
        except (AllSourcesFailed, ValidationFailed) as exc:
            raise dg.Failure(str(exc), allow_retries=isinstance(exc, AllSourcesFailed)) from exc

        coverage = coverage_frame(batch, price_sources, start, end)
        params = {"start": start, "end": end, "tickers": list(price_sources.tickers)}
        with warehouse.get_connection() as conn, transaction(conn):
            run(conn, "raw/upsert_share_prices.sql", params, batch=prices)
            run(conn, "raw/upsert_corporate_actions.sql", params, actions=actions)
            run(conn, "raw/upsert_share_price_coverage.sql", coverage=coverage)

        summary = prices.group_by("ticker").agg(
            pl.len().alias("rows"), pl.col("trade_date").max().alias("last_trade_date"), pl.col("source").first()
        ).sort("ticker")
        common = {
            "dagster/partition_row_count": prices.height,
            "sources": dg.MetadataValue.json(batch.served_by),
            "covered_until": dg.MetadataValue.json({t: str(d) for t, d in batch.covered_until.items()}),
            "null_bars_dropped": sum(batch.dropped_null_bars.values()),
            "fallbacks": dg.MetadataValue.json(batch.fallbacks),
            "beyond_coverage_days": int((~coverage["complete"]).sum()),
        }
        yield dg.MaterializeResult(
            asset_key=SHARE_PRICES,
            metadata={**common, "dagster/row_count": prices.height, "per_ticker": markdown_table(summary, limit=len(price_sources.tickers))},
        )
        yield dg.MaterializeResult(asset_key=CORPORATE_ACTIONS, metadata={"dagster/row_count": actions.height})

    return share_prices_ingest


def validated(batch: UniverseBatch, fetched_at: datetime) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Round prices, stamp them and run both pandera models (every failure listed at once)."""
    prices = batch.prices.with_columns(
        pl.col("open", "high", "low", "close", "adj_close").round(PRICE_DECIMALS),
        pl.lit(fetched_at).cast(pl.Datetime("us", "UTC")).alias("fetched_at"),
    )

    def locate(row: dict) -> str:
        return f"{row['source']} {row['ticker']} {row['trade_date']}"

    prices = validate(SharePrices, prices, "raw.share_prices batch", locate)
    actions = validate(CorporateActions, batch.actions, "raw.corporate_actions batch", lambda r: f"{r['source']} {r['ticker']} {r['ex_date']} {r['action']}")
    return prices, actions


def coverage_frame(batch: UniverseBatch, price_sources: PriceSourcesResource, start: date, end: date) -> pl.DataFrame:
    """One row per day of the batch: rows stored and whether every ticker's source reached it."""
    days = pl.date_range(start, end, "1d", eager=True).alias("trade_date")
    reach = list(batch.covered_until.values())
    rows = batch.prices.group_by("trade_date").len("rows")
    return (
        pl.DataFrame(days)
        .with_columns(
            pl.lit(price_sources.chain_name).alias("sources"),
            pl.lit(",".join(sorted(price_sources.tickers))).alias("tickers"),
            pl.sum_horizontal([(pl.col("trade_date") <= d).cast(pl.Int32) if d else pl.lit(0, pl.Int32) for d in reach]).alias("tickers_covered"),
        )
        .join(rows, on="trade_date", how="left")
        .with_columns(
            pl.col("rows").fill_null(0).cast(pl.Int32),
            (pl.col("tickers_covered") == len(reach)).alias("complete"),
        )
    )
