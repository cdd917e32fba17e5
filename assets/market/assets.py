"""Dagster assets of the market domain: daily share prices, corporate actions, core.prices."""


from collections import Counter
from datetime import date, timedelta

import dagster as dg
import polars as pl

from ..metadata import column_schema, markdown_table
from ..validation import ValidationFailed
from ..warehouse import WarehouseResource
from .chain import AllSourcesFailed
from .ingest import IngestReport, ingest_range
from .resource import PriceSourcesResource
from .schemas import CorporateActions, SharePrices

SHARE_PRICES = dg.AssetKey(["raw", "share_prices"])
CORPORATE_ACTIONS = dg.AssetKey(["raw", "corporate_actions"])
HTTP_RETRY_POLICY = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


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
                # Expected fresh after each weekday's 18:30 New York run. With the bundled snapshot
                # and manual `make run`s this shows stale: honest, since the snapshot ends 2026-10-06..09.
                freshness_policy=dg.FreshnessPolicy.cron(
                    deadline_cron="0 21 * * 1-5", lower_bound_delta=timedelta(hours=5), timezone="America/New_York"
                ),
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
        # On top of the HTTP retries inside each request: a source outage may pass in minutes.
        # Bad data raises Failure(allow_retries=False) and is not retried.
        retry_policy=HTTP_RETRY_POLICY,
    )
    def share_prices_ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, price_sources: PriceSourcesResource
    ):
        window = context.partition_time_window
        start, end = window.start.date(), window.end.date() - timedelta(days=1)
        context.log.info(f"fetching {len(price_sources.tickers)} tickers {start}..{end} via {price_sources.chain_name}")
        try:
            report = ingest_range(warehouse, price_sources.build_chain(), price_sources.tickers, start, end, context.log.info)
        except (AllSourcesFailed, ValidationFailed) as exc:
            # A source outage may pass on a retry; bad data, a malformed body or an unknown symbol will not.
            raise dg.Failure(str(exc), allow_retries=isinstance(exc, AllSourcesFailed) and exc.retryable) from exc

        batch = report.batch
        yield dg.MaterializeResult(
            asset_key=SHARE_PRICES,
            metadata={
                "dagster/row_count": report.table_rows,
                "dagster/partition_row_count": report.prices.height,
                **(per_ticker_metadata(report) if start == end else range_metadata(report, end)),
                "null_bars_dropped": sum(batch.dropped_null_bars.values()),
                "fallbacks": dg.MetadataValue.json(batch.fallbacks),
                # Days the next live refresh asks again: beyond a source's reach, or a session without a bar.
                "incomplete_days": int((~report.coverage["complete"]).sum()),
                "sessions_without_bar": int(report.coverage["tickers_missing_session"].sum()),
                "refetched_after_split": dg.MetadataValue.json(report.refetched),
            },
        )
        yield dg.MaterializeResult(asset_key=CORPORATE_ACTIONS, metadata={"dagster/partition_row_count": report.actions.height})

    return share_prices_ingest


def per_ticker_metadata(report: IngestReport) -> dict:
    """A one-day run's metadata: rows, last bar, source and reach of every ticker."""
    summary = report.prices.group_by("ticker").agg(
        pl.len().alias("rows"), pl.col("trade_date").max().alias("last_trade_date"), pl.col("source").first()
    ).sort("ticker")
    return {
        "per_ticker": markdown_table(summary, limit=len(report.batch.served_by)),
        "sources": dg.MetadataValue.json(report.batch.served_by),
        "covered_until": dg.MetadataValue.json({t: str(d) for t, d in report.batch.covered_until.items()}),
    }


def range_metadata(report: IngestReport, end: date) -> dict:
    """A range run's metadata, without the per-ticker entries: Dagster copies a range run's
    metadata to every partition of it (500 tickers x 3,650 days made a 363 MB run history).
    Tickers per source, and only the tickers whose source stopped short of the range's end."""
    short = {t: str(d) for t, d in report.batch.covered_until.items() if d is None or d < end}
    return {
        "tickers_per_source": dg.MetadataValue.json(dict(sorted(Counter(report.batch.served_by.values()).items()))),
        "covered_until_where_short": dg.MetadataValue.json(short),
    }
