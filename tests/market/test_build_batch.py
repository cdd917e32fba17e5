"""`build_batch` directly: what its fast path (one query per frame; repeats handled only when a key repeats) must keep."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.market.sources._common import build_batch
from assets.market.sources.base import ACTION_SCHEMA, PRICE_SCHEMA, SourceError

MON, TUE, WED, THU = (date(2024, 6, day) for day in (10, 11, 12, 13))


def bars(*rows: tuple) -> pl.DataFrame:
    """Bars from (trade_date, close) pairs; the other prices equal the close."""
    return pl.DataFrame(
        [(day, close, close, close, close, 100, "USD") for day, close in rows],
        schema={"trade_date": pl.Date, "open": pl.Float64, "high": pl.Float64, "low": pl.Float64,
                "close": pl.Float64, "volume": pl.Int64, "currency": pl.String},
        orient="row",
    )


def actions(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema={"ex_date": pl.Date, "action": pl.String, "value": pl.Float64}, orient="row")


def test_rows_are_cut_to_the_range_sorted_and_typed():
    batch = build_batch("yahoo", "NVDA", bars((WED, 3.0), (MON, 9.0), (TUE, 2.0), (THU, 4.0)), start=TUE, end=WED)
    assert batch.prices.schema == pl.Schema(PRICE_SCHEMA)
    assert batch.prices.select("ticker", "trade_date", "close", "adj_close", "source").rows() == [
        ("NVDA", TUE, 2.0, None, "yahoo"),
        ("NVDA", WED, 3.0, None, "yahoo"),
    ]
    assert batch.actions.schema == pl.Schema(ACTION_SCHEMA) and batch.actions.is_empty()
    assert (batch.dropped_null_bars, batch.covered_until) == (0, WED)


def test_only_null_closes_inside_the_range_are_counted():
    batch = build_batch("yahoo", "NVDA", bars((MON, None), (TUE, None), (WED, 3.0)), start=TUE, end=WED)
    assert batch.prices["trade_date"].to_list() == [WED]
    assert batch.dropped_null_bars == 1


def test_a_null_close_next_to_a_full_bar_of_the_same_day_is_no_conflict():
    batch = build_batch("yahoo", "NVDA", bars((TUE, None), (TUE, 2.0)), start=TUE, end=TUE)
    assert batch.prices["close"].to_list() == [2.0]
    assert batch.dropped_null_bars == 1


def test_no_bars_in_range_is_an_empty_batch():
    batch = build_batch("yahoo", "NVDA", bars((MON, 1.0)), start=TUE, end=WED)
    assert batch.prices.schema == pl.Schema(PRICE_SCHEMA) and batch.prices.is_empty()
    assert batch.covered_until is None


def test_identical_repeats_collapse_and_conflicts_name_every_day():
    batch = build_batch("yahoo", "NVDA", bars((WED, 3.0), (TUE, 2.0), (WED, 3.0)), start=TUE, end=WED)
    assert batch.prices["close"].to_list() == [2.0, 3.0]
    with pytest.raises(SourceError, match=r"conflicting rows for the same day: 2024-06-11, 2024-06-12$"):
        build_batch("yahoo", "NVDA", bars((WED, 3.0), (TUE, 2.0), (WED, 3.1), (TUE, 2.1)), start=TUE, end=WED)


def test_actions_repeat_per_day_and_kind():
    same_day = actions((WED, "split", 2.0), (WED, "dividend", 0.1), (WED, "dividend", 0.1), (MON, "dividend", 0.1))
    batch = build_batch("yahoo", "NVDA", bars(), start=TUE, end=WED, actions=same_day)
    assert batch.actions.rows() == [("NVDA", WED, "dividend", 0.1, "yahoo"), ("NVDA", WED, "split", 2.0, "yahoo")]
    with pytest.raises(SourceError, match=r"conflicting rows for the same day: 2024-06-12$"):
        build_batch("yahoo", "NVDA", bars(), start=TUE, end=WED, actions=actions((WED, "dividend", 0.1), (WED, "dividend", 0.2)))
