"""A day of the coverage ledger is complete only when every ticker has a bar for each session its
exchange held that day (assets/market/ingest.py: session_gaps, upsert_coverage), against the
official calendars (exchange_calendars, through assets/market/recency.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl

from assets.market.chain import UniverseBatch
from assets.market.ingest import ingest_range, session_gaps
from assets.market.recency import calendar_of, sessions_between
from assets.market.sources.base import ACTION_SCHEMA, PRICE_SCHEMA, PriceBatch
from assets.market.sources.snapshot import SnapshotSource
from assets.settings import PROJECT_ROOT
from assets.warehouse import WarehouseResource

# Thanksgiving week 2025: Tokyo is closed on Monday 24 (Labour Thanksgiving, observed), New York
# on Thursday 27 (Thanksgiving); both trade on 25, 26 and 28.
WEEK = date(2025, 11, 22), date(2025, 11, 30)
NY = [date(2025, 11, d) for d in (24, 25, 26, 28)]
TOKYO = [date(2025, 11, d) for d in (25, 26, 27, 28)]
TO_FRIDAY = WEEK[0], date(2025, 11, 28)  # the ledger tests' range: a live source reaches its last bar


def bars(ticker: str, days: list[date], currency: str = "USD") -> pl.DataFrame:
    return pl.DataFrame(
        [{"ticker": ticker, "trade_date": d, "open": 10.0, "high": 11.0, "low": 9.0, "close": 10.5, "adj_close": None,
          "volume": 100, "currency": currency, "source": "yahoo"} for d in days],
        schema=PRICE_SCHEMA,
    )


def batch_of(served: dict[str, list[date]], reach: dict[str, date | None] | None = None) -> UniverseBatch:
    """A batch with these bars; each ticker reached its last bar unless `reach` says otherwise."""
    prices = pl.concat([bars(t, days, "JPY" if t.endswith(".T") else "USD") for t, days in served.items()])
    covered = {t: max(days) if days else None for t, days in served.items()} | (reach or {})
    return UniverseBatch(prices, pl.DataFrame(schema=ACTION_SCHEMA), covered_until=covered)


def gaps(batch: UniverseBatch, start: date, end: date) -> set[tuple[str, date, bool]]:
    """(ticker, trade_date, reached) of the sessions without a bar."""
    return set(session_gaps(batch, start, end).iter_rows())


# -- the calendars --------------------------------------------------------------------------------


def test_each_exchange_has_its_own_sessions():
    assert sessions_between("XNYS", *WEEK) == NY
    assert sessions_between("XTKS", *WEEK) == TOKYO
    assert (calendar_of("AMD"), calendar_of("BRK-B"), calendar_of("9984.T")) == ("XNYS", "XNYS", "XTKS")
    assert calendar_of("VOD.L") is None  # no London calendar here: unknown, not New York


def test_days_outside_the_calendar_are_unknown_not_sessions():
    import exchange_calendars

    first = exchange_calendars.get_calendar("XNYS").first_session.date()  # about 20 years before today
    assert sessions_between("XNYS", first - timedelta(days=400), first - timedelta(days=1)) == []
    straddling = sessions_between("XNYS", first - timedelta(days=10), first + timedelta(days=6))
    assert straddling and straddling[0] == first  # no exception: the known part only
    last = exchange_calendars.get_calendar("XNYS").last_session.date()  # about a year ahead
    assert sessions_between("XNYS", last + timedelta(days=1), last + timedelta(days=30)) == []


# -- session_gaps: which bars a batch is missing ------------------------------------------------------


def test_a_holiday_on_one_exchange_is_no_gap_on_the_other():
    batch = batch_of({"AMD": NY, "9984.T": TOKYO})
    assert gaps(batch, *WEEK) == set()


def test_a_session_without_a_bar_is_a_gap_on_that_exchange_only():
    thanksgiving = date(2025, 11, 27)
    batch = batch_of({"AMD": NY, "9984.T": [d for d in TOKYO if d != thanksgiving]})
    assert gaps(batch, *WEEK) == {("9984.T", thanksgiving, True)}
    monday = date(2025, 11, 24)
    batch = batch_of({"AMD": NY[1:], "9984.T": TOKYO})
    assert gaps(batch, *WEEK) == {("AMD", monday, True)}  # upsert_coverage counts it if AMD has an earlier bar


def test_sessions_beyond_the_reach_are_marked_unreached():
    batch = batch_of({"AMD": NY[:2], "9984.T": TOKYO})
    assert gaps(batch, *WEEK) == {("AMD", date(2025, 11, 26), False), ("AMD", date(2025, 11, 28), False)}
    unreached = batch_of({"AMD": [], "9984.T": TOKYO})  # no bar at all: nothing reached
    assert gaps(unreached, *WEEK) == {("AMD", d, False) for d in NY}


def test_a_ticker_without_a_known_calendar_is_never_flagged():
    batch = batch_of({"VOD.L": [date(2025, 11, 24), date(2025, 11, 28)]})
    assert gaps(batch, *WEEK) == set()


def test_days_outside_the_calendar_are_never_flagged():
    import exchange_calendars

    first = exchange_calendars.get_calendar("XNYS").first_session.date()
    start, end = first - timedelta(days=20), first + timedelta(days=6)
    known = sessions_between("XNYS", start, end)
    batch = batch_of({"AMD": known})  # nothing before the calendar's first day: unknown, not missing
    assert gaps(batch, start, end) == set()
    assert gaps(batch_of({"AMD": known[1:]}, {"AMD": end}), start, end) == {("AMD", known[0], True)}


def test_many_tickers_are_checked_with_one_query_each_exchange():
    # The fast path: a complete batch of 300 tickers x ~1 year; one bar removed is found.
    days = sessions_between("XNYS", date(2024, 1, 1), date(2024, 12, 31))
    full = {f"SYN{i:03d}": days for i in range(300)}
    assert gaps(batch_of(full), date(2024, 1, 1), date(2024, 12, 31)) == set()
    holed = full | {"SYN042": [d for d in days if d != date(2024, 7, 3)]}
    assert gaps(batch_of(holed), date(2024, 1, 1), date(2024, 12, 31)) == {("SYN042", date(2024, 7, 3), True)}


# -- the ledger, through ingest_range ----------------------------------------------------------------


class ServedSource:
    """An in-memory live-like source: serves `served` bars in the asked range; reach = last bar."""

    name = "yahoo"

    def __init__(self, served: dict[str, list[date]]):
        self.served = served

    def fetch(self, ticker: str, start: date, end: date) -> PriceBatch:
        days = [d for d in self.served[ticker] if start <= d <= end]
        return PriceBatch(prices=bars(ticker, days, "JPY" if ticker.endswith(".T") else "USD"), covered_until=max(days, default=None))


LEDGER = "SELECT trade_date, rows, tickers_covered, tickers_missing_session, complete FROM raw.share_price_coverage ORDER BY 1"


def ledger(path: Path) -> dict[date, list]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return {d: rest for d, *rest in conn.execute(LEDGER).fetchall()}


def test_ledger_counts_missing_sessions_and_leaves_the_day_incomplete(tmp_path):
    warehouse = WarehouseResource(database=str(tmp_path / "w.duckdb"))
    thanksgiving = date(2025, 11, 27)
    earlier = [date(2025, 11, d) for d in (20, 21)]
    source = ServedSource({"AMD": earlier + NY, "9984.T": earlier + [d for d in TOKYO if d != thanksgiving]})
    ingest_range(warehouse, [source], ["AMD", "9984.T"], date(2025, 11, 20), date(2025, 11, 21))
    report = ingest_range(warehouse, [source], ["AMD", "9984.T"], *TO_FRIDAY)
    days = ledger(tmp_path / "w.duckdb")
    # (rows, tickers_covered, tickers_missing_session, complete)
    assert days[date(2025, 11, 24)] == [1, 2, 0, True]  # Tokyo holiday: AMD's bar is all there is
    assert days[thanksgiving] == [0, 2, 1, False]  # Tokyo traded, 9984.T has no bar: ask again
    assert days[date(2025, 11, 28)] == [2, 2, 0, True]
    assert [d for d, row in days.items() if not row[3]] == [thanksgiving]
    assert report.coverage.filter(~pl.col("complete"))["trade_date"].to_list() == [thanksgiving]


def test_sessions_before_the_first_stored_bar_are_not_missing(tmp_path):
    # A listing mid-range (like CRWV on 2025-03-28): no bar before it is a gap...
    path = tmp_path / "w.duckdb"
    warehouse = WarehouseResource(database=str(path))
    listing = date(2025, 11, 26)
    source = ServedSource({"AMD": NY, "NEWCO": [d for d in NY if d >= listing]})
    ingest_range(warehouse, [source], ["AMD", "NEWCO"], *TO_FRIDAY)
    assert all(complete for *_, complete in ledger(path).values())
    assert {row[2] for row in ledger(path).values()} == {0}


def test_a_skipped_first_session_after_stored_history_is_missing(tmp_path):
    # ...but once a ticker has stored bars, a batch that starts with a skipped session has a gap,
    # although the batch's own first bar comes after it.
    path = tmp_path / "w.duckdb"
    warehouse = WarehouseResource(database=str(path))
    ingest_range(warehouse, [ServedSource({"AMD": [date(2025, 11, 21)]})], ["AMD"], date(2025, 11, 21), date(2025, 11, 21))
    ingest_range(warehouse, [ServedSource({"AMD": NY[1:]})], ["AMD"], *TO_FRIDAY)
    assert [d for d, (*_, missing, complete) in ledger(path).items() if missing or not complete] == [date(2025, 11, 24)]


def test_a_day_asked_again_and_still_absent_stays_missing(tmp_path):
    # The next live refresh asks for the skipped day alone; if the source still has no bar, the
    # ticker's source reached nothing, but the day is a hole between stored bars: still missing.
    path = tmp_path / "w.duckdb"
    warehouse = WarehouseResource(database=str(path))
    skipped = date(2025, 11, 25)
    source = ServedSource({"AMD": [d for d in NY if d != skipped]})
    ingest_range(warehouse, [source], ["AMD"], *TO_FRIDAY)
    assert ledger(path)[skipped] == [0, 1, 1, False]
    ingest_range(warehouse, [source], ["AMD"], skipped, skipped)
    assert ledger(path)[skipped] == [0, 0, 1, False]  # (rows, tickers_covered, tickers_missing_session, complete)
    ingest_range(warehouse, [ServedSource({"AMD": NY})], ["AMD"], skipped, skipped)  # the source has it now
    assert ledger(path)[skipped] == [1, 1, 0, True]


def test_tokyo_outage_of_2020_10_01_is_no_session(tmp_path):
    # The snapshot has no 9984.T bar that day: the exchange halted trading, and XTKS knows it.
    path = tmp_path / "w.duckdb"
    snapshot = SnapshotSource(PROJECT_ROOT / "data" / "snapshot")
    ingest_range(WarehouseResource(database=str(path)), [snapshot], ["AMD", "9984.T"], date(2020, 9, 28), date(2020, 10, 2))
    assert ledger(path)[date(2020, 10, 1)] == [1, 2, 0, True]


def test_an_older_ledger_gets_the_column_with_null_for_unchecked_days(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE SCHEMA raw")
        conn.execute("CREATE TABLE raw.share_price_coverage (trade_date DATE PRIMARY KEY, sources VARCHAR NOT NULL, "
                     "tickers VARCHAR NOT NULL, rows INTEGER NOT NULL, tickers_covered INTEGER NOT NULL, complete BOOLEAN NOT NULL)")
        conn.execute("INSERT INTO raw.share_price_coverage VALUES ('2025-11-21', 'yahoo', 'AMD', 1, 1, true)")
    warehouse = WarehouseResource(database=str(path))
    ingest_range(warehouse, [ServedSource({"AMD": NY})], ["AMD"], *TO_FRIDAY)
    with warehouse.get_connection() as conn:  # the DDL once more: idempotent
        assert conn.execute("SELECT count(*) FROM raw.share_price_coverage").fetchone() == (8,)  # 2025-11-21 and the 7 new days
    days = ledger(path)
    assert days[date(2025, 11, 21)] == [1, 1, None, True]
    assert days[date(2025, 11, 24)] == [1, 1, 0, True]


def test_days_beyond_the_reach_are_incomplete_but_not_missing(tmp_path):
    path = tmp_path / "w.duckdb"
    reach = date(2025, 11, 25)
    ingest_range(WarehouseResource(database=str(path)), [ServedSource({"AMD": [d for d in NY if d <= reach]})], ["AMD"], *TO_FRIDAY)
    days = ledger(path)
    assert [d for d, row in days.items() if not row[3]] == [reach + timedelta(days=n) for n in range(1, 4)]
    assert {row[2] for row in days.values()} == {0}  # not reached is not missing: tickers_covered says it
