"""Dagster assets of the market domain: daily share prices, corporate actions, core.prices."""


import time
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import polars as pl
from pydantic import Field

from ..metadata import column_schema, markdown_table
from ..validation import ValidationFailed
from ..warehouse import WarehouseResource
from .chain import AllSourcesFailed, UniverseBatch
from .coverage import contiguous_ranges, days_to_fetch, every_day
from .ingest import IngestReport, ingest_range
from .resource import PriceSourcesResource
from .schemas import CorporateActions, SharePrices

SHARE_PRICES = dg.AssetKey(["raw", "share_prices"])
CORPORATE_ACTIONS = dg.AssetKey(["raw", "corporate_actions"])
NEW_YORK = ZoneInfo("America/New_York")  # the partitions' time zone: US exchange dates
HTTP_RETRY_POLICY = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


class PriceFetch(dg.Config):
    """Run config of the price ingest: how far to fetch, and whether to ignore the coverage ledger."""

    through: str | None = Field(
        default=None,
        description="The last day to fetch (YYYY-MM-DD); the partitions' days after it are left for later. "
        "Default: today in New York. `make run` passes PERPETUUM_END_DATE.",
    )
    refetch: bool = Field(
        default=False,
        description="Fetch every day of the selected partitions again, ignoring raw.share_price_coverage "
        "(full_rebuild sets it). Otherwise only the days the ledger lists as missing are fetched.",
    )


def build_price_ingest(partitions_def: dg.MonthlyPartitionsDefinition, first_day: date) -> dg.AssetsDefinition:
    """The partitioned ingest of prices and corporate actions, one fetch for both tables.

    One partition per calendar month; a run fetches, of its partitions' days from `first_day`
    (PERPETUUM_START_DATE) to `through`, those the coverage ledger lists as missing, one
    transaction per contiguous range of them (see docs/ARCHITECTURE.md, "Partitions and missing")."""

    @dg.multi_asset(
        name="share_prices_ingest",
        specs=[
            dg.AssetSpec(
                SHARE_PRICES,
                description=(
                    "Daily bars (open, high, low, close, adj_close, volume) of every ticker in "
                    "PERPETUUM_TICKERS, one partition per calendar month (New York), from the configured "
                    "source chain (bundled snapshot by default). A run of a month fetches only the days "
                    "raw.share_price_coverage lists as missing (never asked, another ticker universe, or "
                    "incomplete for a live source), so the current month's partition is run again every "
                    "day. Validated with pandera; each contiguous range of days is one transaction."
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
        context: dg.AssetExecutionContext, config: PriceFetch, warehouse: WarehouseResource, price_sources: PriceSourcesResource
    ):
        window = context.partition_time_window
        through = date.fromisoformat(config.through) if config.through else datetime.now(NEW_YORK).date()
        start, end = max(window.start.date(), first_day), min(window.end.date() - timedelta(days=1), through)
        span = every_day(start, end)
        days = span if config.refetch else days_to_fetch(warehouse, start, end, price_sources.sources, price_sources.tickers)
        ranges = contiguous_ranges(days)
        context.log.info(
            f"{len(days)} of {len(span)} days {start}..{end} to fetch"
            + (" (refetch: every day)" if config.refetch else " (the others are complete in raw.share_price_coverage)")
            + f", {len(ranges)} range(s), {len(price_sources.tickers)} tickers via {price_sources.chain_name}"
        )
        reports = []
        for n, (first, last) in enumerate(ranges, 1):
            started = time.perf_counter()
            try:
                reports.append(ingest_range(warehouse, price_sources.build_chain(), price_sources.tickers, first, last, context.log.info))
            except (AllSourcesFailed, ValidationFailed) as exc:
                # A source outage may pass on a retry; bad data, a malformed body or an unknown symbol will not.
                raise dg.Failure(str(exc), allow_retries=isinstance(exc, AllSourcesFailed) and exc.retryable) from exc
            context.log.info(f"range {n} of {len(ranges)}: {first}..{last} stored, {reports[-1].prices.height} rows "
                             f"({time.perf_counter() - started:.1f} s)")
        yield dg.MaterializeResult(asset_key=SHARE_PRICES, metadata=share_prices_metadata(reports, ranges, single=len(context.partition_keys) == 1))
        yield dg.MaterializeResult(
            asset_key=CORPORATE_ACTIONS, metadata={"dagster/partition_row_count": sum(r.actions.height for r in reports)}
        )

    return share_prices_ingest


def share_prices_metadata(reports: list[IngestReport], ranges: list[tuple[date, date]], single: bool) -> dict:
    """The materialization's metadata: what was fetched (ranges, rows, sources, gaps). Per-ticker
    tables only for a run of one partition: Dagster copies a range run's metadata to every partition
    of it (500 tickers x 3,650 days made a 363 MB run history with daily partitions)."""
    fetched = {"days_fetched": sum((last - first).days + 1 for first, last in ranges),
               "ranges_fetched": dg.MetadataValue.json([f"{first}..{last}" for first, last in ranges])}
    if not reports:
        return {**fetched, "dagster/partition_row_count": 0}
    report = merged(reports)
    batch = report.batch
    end = ranges[-1][1]
    return {
        "dagster/row_count": report.table_rows,
        "dagster/partition_row_count": report.prices.height,
        **fetched,
        **(per_ticker_metadata(report) if single else range_metadata(report, end)),
        "null_bars_dropped": sum(batch.dropped_null_bars.values()),
        "fallbacks": dg.MetadataValue.json(batch.fallbacks),
        # Days the next live refresh asks again: beyond a source's reach, or a session without a bar.
        "incomplete_days": int((~report.coverage["complete"]).sum()),
        "sessions_without_bar": int(report.coverage["tickers_missing_session"].sum()),
        "refetched_after_split": dg.MetadataValue.json(report.refetched),
    }


def merged(reports: list[IngestReport]) -> IngestReport:
    """The reports of one run's ranges as one (oldest first; a later range's source and reach win)."""
    if len(reports) == 1:
        return reports[0]
    batches = [r.batch for r in reports]
    batch = UniverseBatch(
        prices=pl.concat([b.prices for b in batches]),
        actions=pl.concat([b.actions for b in batches]),
        served_by={t: s for b in batches for t, s in b.served_by.items()},
        covered_until={t: d for b in batches for t, d in b.covered_until.items()},
        dropped_null_bars=dict(sum((Counter(b.dropped_null_bars) for b in batches), Counter())),
        fallbacks={t: f for b in batches for t, f in b.fallbacks.items()},
    )
    return IngestReport(
        batch,
        pl.concat([r.prices for r in reports]),
        pl.concat([r.actions for r in reports]),
        pl.concat([r.coverage for r in reports]),
        reports[-1].table_rows,
        {t: span for r in reports for t, span in r.refetched.items()},
    )


def per_ticker_metadata(report: IngestReport) -> dict:
    """A one-partition run's metadata: rows, last bar, source and reach of every ticker."""
    summary = report.prices.group_by("ticker").agg(
        pl.len().alias("rows"), pl.col("trade_date").max().alias("last_trade_date"), pl.col("source").first()
    ).sort("ticker")
    return {
        "per_ticker": markdown_table(summary, limit=len(report.batch.served_by)),
        "sources": dg.MetadataValue.json(report.batch.served_by),
        "covered_until": dg.MetadataValue.json({t: str(d) for t, d in report.batch.covered_until.items()}),
    }


def range_metadata(report: IngestReport, end: date) -> dict:
    """A range run's metadata, without the per-ticker entries: tickers per source, and only the
    tickers whose source stopped short of the last day fetched."""
    short = {t: str(d) for t, d in report.batch.covered_until.items() if d is None or d < end}
    return {
        "tickers_per_source": dg.MetadataValue.json(dict(sorted(Counter(report.batch.served_by.values()).items()))),
        "covered_until_where_short": dg.MetadataValue.json(short),
    }
