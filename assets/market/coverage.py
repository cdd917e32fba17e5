"""Which days of a range the coverage ledger says to fetch (no Dagster here).

`raw.share_price_coverage` records, per day, which source chain answered for which ticker universe
and whether the day is complete (sql/raw/upsert_share_price_coverage.sql). A day is fetched when it
was never asked, was asked for another universe, or is incomplete for another chain or for a live
chain (sql/raw/partitions_to_fetch.sql). The price asset asks this for the days of its partitions,
the refresh command for the whole configured range (to know which partitions to run).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from ..settings import LIVE_SOURCES
from ..warehouse import WarehouseResource, query


def days_to_fetch(warehouse: WarehouseResource, start: date, end: date, sources: Sequence[str], tickers: Sequence[str]) -> list[date]:
    """The days in [start, end] the ledger says to (re)fetch with this chain and ticker universe."""
    if end < start:
        return []
    params = {
        "start": start,
        "end": end,
        "sources": ",".join(sources),
        "tickers": ",".join(sorted(tickers)),
        "live": any(s in LIVE_SOURCES for s in sources),
    }
    with warehouse.get_connection() as conn:
        return query(conn, "raw/partitions_to_fetch.sql", params)["trade_date"].to_list()


def every_day(start: date, end: date) -> list[date]:
    """[start, end] day by day (empty when end < start)."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def contiguous_ranges(days: list[date]) -> list[tuple[date, date]]:
    """[d1, d2, d3, d7] -> [(d1, d3), (d7, d7)]"""
    ranges: list[tuple[date, date]] = []
    for day in days:
        if ranges and ranges[-1][1] + timedelta(days=1) == day:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges
