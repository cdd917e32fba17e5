"""Fetch, validate and store one date range of prices in one transaction (no Dagster here)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import duckdb
import polars as pl

from ..validation import ValidationFailed, validate
from ..warehouse import WarehouseResource, query, run, sql, transaction
from .chain import PriceSource, UniverseBatch, fetch_universe
from .recency import calendar_of, sessions_between
from .schemas import CorporateActions, SharePrices, implausible_dividends

PRICE_DECIMALS = 4  # sources deliver float32 artefacts (203.7100067138672 for 203.71)


@dataclass
class IngestReport:
    """What one ingest stored, for metadata and the refresh summary."""

    batch: UniverseBatch
    prices: pl.DataFrame
    actions: pl.DataFrame
    coverage: pl.DataFrame
    table_rows: int
    # ticker -> "first..last": stored history fetched again because the batch brought a new split
    refetched: dict[str, str] = field(default_factory=dict)


def ingest_range(
    warehouse: WarehouseResource,
    chain: Sequence[PriceSource],
    tickers: Sequence[str],
    start: date,
    end: date,
    log: Callable[[str], None] = lambda _msg: None,
) -> IngestReport:
    """Fetch [start, end] through the chain, validate everything, then replace that slice.

    Raises AllSourcesFailed or ValidationFailed before anything is written.
    """
    batch = fetch_universe(chain, tickers, start, end, log)
    refetched = refetch_history_before_new_splits(warehouse, chain, batch, start, log)
    prices, actions = validated(batch, datetime.now(timezone.utc))
    coverage = coverage_frame(batch, ",".join(s.name for s in chain), tickers, start, end)
    gaps = session_gaps(batch, start, end)
    params = {"start": start, "end": end, "tickers": list(tickers)}
    with warehouse.get_connection() as conn:
        with transaction(conn):
            run(conn, "raw/upsert_share_prices.sql", params, batch=prices)
            run(conn, "raw/upsert_corporate_actions.sql", params, actions=actions)
            coverage = upsert_coverage(conn, coverage, gaps)
        table_rows = query(conn, "raw/share_prices_count.sql")["rows"][0]
    return IngestReport(batch, prices, actions, coverage, table_rows, refetched)


def refetch_history_before_new_splits(
    warehouse: WarehouseResource,
    chain: Sequence[PriceSource],
    batch: UniverseBatch,
    start: date,
    log: Callable[[str], None] = lambda _msg: None,
) -> dict[str, str]:
    """Add to `batch` the stored history of every ticker whose batch brings a split the warehouse
    has never seen: those rows were fetched before the split and are not divided by it, while the
    batch's are (a 2:1 split would otherwise show as a -50 % return). They are fetched again through
    the same chain and written in the same transaction; if no source can serve them, the whole batch
    fails (AllSourcesFailed) and nothing is written. Returns ticker -> refetched range."""
    splits = batch.actions.filter(pl.col("action") == "split").select("ticker", "ex_date")
    if splits.is_empty():
        return {}
    with warehouse.get_connection() as conn:
        conn.register("splits", splits)
        stale = conn.sql(sql("raw/stale_split_history.sql"), params={"start": start}).pl()
        conn.unregister("splits")
    refetched: dict[str, str] = {}
    last = start - timedelta(days=1)
    for ticker, first in stale.iter_rows():
        log(f"{ticker}: a split new to the warehouse arrived; fetching its stored history {first}..{last} again")
        history = fetch_universe(chain, [ticker], first, last, log)
        batch.prices = pl.concat([batch.prices, history.prices])
        batch.actions = pl.concat([batch.actions, history.actions])
        refetched[ticker] = f"{first}..{last}"
    return refetched


def validated(batch: UniverseBatch, fetched_at: datetime) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Round prices, stamp them and run both pandera models (every failure listed at once), then
    check each dividend against the batch's closes (schemas.implausible_dividends)."""
    prices = batch.prices.with_columns(
        pl.col("open", "high", "low", "close", "adj_close").round(PRICE_DECIMALS),
        pl.lit(fetched_at).cast(pl.Datetime("us", "UTC")).alias("fetched_at"),
    )
    prices = validate(SharePrices, prices, "raw.share_prices batch", lambda r: f"{r['source']} {r['ticker']} {r['trade_date']}")
    actions = validate(
        CorporateActions, batch.actions, "raw.corporate_actions batch", lambda r: f"{r['source']} {r['ticker']} {r['ex_date']} {r['action']}"
    )
    if problems := implausible_dividends(actions, prices):
        raise ValidationFailed("raw.corporate_actions batch", problems)
    return prices, actions


def coverage_frame(batch: UniverseBatch, sources: str, tickers: Sequence[str], start: date, end: date) -> pl.DataFrame:
    """One row per day of the batch: rows stored and whether every ticker's source reached it
    (`reached`; the ledger's `complete` also needs every session's bar, see upsert_coverage)."""
    reach = list(batch.covered_until.values())
    covered = [(pl.col("trade_date") <= d).cast(pl.Int32) if d else pl.lit(0, pl.Int32) for d in reach]
    rows = batch.prices.group_by("trade_date").len("rows")
    return (
        pl.DataFrame(pl.date_range(start, end, "1d", eager=True).alias("trade_date"))
        .with_columns(
            pl.lit(sources).alias("sources"),
            pl.lit(",".join(sorted(tickers))).alias("tickers"),
            pl.sum_horizontal(covered).alias("tickers_covered"),
        )
        .join(rows, on="trade_date", how="left")
        .with_columns(pl.col("rows").fill_null(0).cast(pl.Int32), (pl.col("tickers_covered") == len(reach)).alias("reached"))
    )


GAP_SCHEMA = {"ticker": pl.String, "trade_date": pl.Date, "reached": pl.Boolean}


def session_gaps(batch: UniverseBatch, start: date, end: date) -> pl.DataFrame:
    """(ticker, trade_date, reached) of every session the ticker's exchange held in [start, end]
    for which the batch has no bar; `reached`: the ticker's source answered up to that day or later.

    These are candidates: upsert_coverage counts one as missing when the ticker has a stored bar
    before it (else it was not listed yet) and its source reached it or the ticker has a stored bar
    after it (a hole in its history). Left out, as unknown: tickers whose exchange has no calendar
    here (recency.calendar_of) and days outside the calendar's range.

    Cost: each exchange's sessions come once from its calendar (exchange_calendars is imported on
    first use: ~0.15 s, then ~0.15 s to build each calendar, once per process), and one query
    counts each ticker's bars on them; only a ticker with fewer bars than sessions is matched day
    by day. 500 tickers x 10 years in one batch: ~30 ms after that."""
    exchanges = {t: name for t in batch.covered_until if (name := calendar_of(t)) is not None}
    if not exchanges:
        return pl.DataFrame(schema=GAP_SCHEMA)
    sessions = {name: sessions_between(name, start, end) for name in set(exchanges.values())}
    bars = batch.prices.lazy().filter(pl.col("trade_date").is_between(start, end)).select("ticker", "trade_date")
    held = bars.group_by("ticker").agg(*(pl.col("trade_date").is_in(days).sum().alias(name) for name, days in sessions.items()))
    held = {row["ticker"]: row for row in held.collect().iter_rows(named=True)}
    short = [t for t, name in exchanges.items() if t not in held or held[t][name] < len(sessions[name])]
    due = pl.LazyFrame([(t, d, batch.covered_until[t]) for t in short for d in sessions[exchanges[t]]],
                       schema={"ticker": pl.String, "trade_date": pl.Date, "reach": pl.Date}, orient="row")
    return (
        due.join(bars.filter(pl.col("ticker").is_in(short)), on=["ticker", "trade_date"], how="anti")
        .select("ticker", "trade_date", (pl.col("trade_date") <= pl.col("reach")).fill_null(False).alias("reached"))
        .collect()
    )


def upsert_coverage(conn: duckdb.DuckDBPyConnection, coverage: pl.DataFrame, gaps: pl.DataFrame) -> pl.DataFrame:
    """Write the batch's ledger rows (after its prices, in the same transaction) and return them:
    `tickers_missing_session` counts the tickers with a bar missing that day (see session_gaps and
    the SQL), and a day is `complete` when every ticker's source reached it and none is missing."""
    conn.register("coverage", coverage)
    conn.register("gaps", gaps)
    written = query(conn, "raw/upsert_share_price_coverage.sql").sort("trade_date")
    conn.unregister("coverage")
    conn.unregister("gaps")
    return written
