"""The SoftBank un-adjustment of data/snapshot/make_snapshot.py, by its closed form: Yahoo's
dividend adjustment applied to known prices (and rounded to 2 decimals, as the real file is) is
undone exactly, and an un-adjustment that misses the overlapping unadjusted prices is refused."""

from __future__ import annotations

import importlib.util
import random
from datetime import date, timedelta

import polars as pl
import pytest

from assets.market.sources.snapshot import BASE_SCHEMA
from assets.settings import PROJECT_ROOT

spec = importlib.util.spec_from_file_location("make_snapshot", PROJECT_ROOT / "data" / "snapshot" / "make_snapshot.py")
make_snapshot = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_snapshot)

PRICES = ("open", "high", "low", "close")


def _raw(seed: int, days: int = 80) -> pl.DataFrame:
    rng = random.Random(seed)
    start, rows = date.fromisoformat(make_snapshot.SOFTBANK_FROM), []
    for k in range(days):
        low = rng.randint(3000, 6000)
        high = low + rng.randint(0, 300)
        rows.append(("9984.T", start + timedelta(days=k), rng.randint(low, high), high, low, rng.randint(low, high), rng.randint(10**6, 10**8), "JPY"))
    return pl.DataFrame(rows, schema=BASE_SCHEMA, orient="row")


def _adjusted(raw: pl.DataFrame, ex: int, dividend: float) -> pl.DataFrame:
    factor = 1 - dividend / raw["close"][ex - 1]  # Yahoo/CRSP: 1 - D / close before the ex-date
    before = pl.int_range(pl.len()) < ex
    return raw.with_columns(pl.when(before).then((pl.col(c) * factor).round(2)).otherwise(pl.col(c)).alias(c) for c in PRICES)


@pytest.mark.parametrize("seed", range(20))
def test_the_adjustment_is_undone_exactly_and_the_dividend_recovered(seed):
    raw = _raw(seed)
    ex = 30 + seed
    adjusted = _adjusted(raw, ex, 5.5)
    known = pl.concat([raw.head(20), raw.tail(15)])  # the unadjusted copies leave a gap, as the real ones do
    result, derivation = make_snapshot.unadjust_softbank(adjusted, known)
    assert result.select(*PRICES, "volume").rows() == raw.select(*PRICES, "volume").rows()
    assert (derivation["ex_date"], derivation["dividend"]) == (raw["trade_date"][ex], 5.5)
    assert derivation["max_residual_yen"] < 0.05


def test_an_unadjustment_that_misses_the_unadjusted_prices_is_refused():
    raw = _raw(1)
    adjusted = _adjusted(raw, 40, 5.5)
    wrong = pl.concat([raw.head(20), raw.tail(15)]).with_columns(pl.col("close") + 1)
    with pytest.raises(ValueError, match="misses the unadjusted prices"):
        make_snapshot.unadjust_softbank(adjusted, wrong)
