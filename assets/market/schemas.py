"""pandera.polars models of the market tables: the rules a batch must pass before it is written.

Every number must be finite (no NaN, no ±Infinity) and plausible. The bounds, and why:

- prices (open, high, low, close, adj_close) > 0 and <= PRICE_CEILING = 1e10 in the listed
  currency. ASSUMPTION: no instrument a source serves quotes above 1e10 in its currency. The
  largest quotes are of the order of 1e9 (bitcoin in Vietnamese dong or Indonesian rupiah);
  shares, even Berkshire Hathaway A, stay below 1e6. The bound refuses what no market quotes
  (1e30, 1e300 from a broken feed) with room above every real quote.
- volume: a whole number >= 0 (the column is Int64: a fractional volume never gets here, the
  parsers refuse it).
- splits: new shares per old share within SPLIT_RATIO_RANGE = [1/1000, 1000]. ASSUMPTION: no
  real split reaches three orders of magnitude either way (forward splits are a few to a few
  tens for one, e.g. NVIDIA's 10-for-1 of 2024 in tests/fixtures/http; reverse splits rarely pass
  a few hundred to one); a ratio beyond is a unit or decoding error, not a corporate action.
- dividends: > 0 per share, <= PRICE_CEILING, and (checked with the batch's prices by
  `implausible_dividends`) below the ticker's close of the session before the ex-date: a cash
  dividend larger than the share price it is paid out of is not possible.
- currency: an ISO 4217 code of the SIX list the `iso4217` package ships (published 2026-01-01),
  or one of MINOR_UNITS, the codes Yahoo uses for prices quoted in a hundredth of a currency
  (London in pence: GBp). Those prices are stored as quoted, in the minor unit, with its code, and
  never mixed with the major unit: 100 GBp = 1 GBP.
"""

from __future__ import annotations

import datetime as dt

import iso4217
import pandera.polars as pa
import polars as pl
from pandera.engines.polars_engine import DateTime

from ..settings import TICKER_PATTERN

PRICE_CEILING = 1e10
SPLIT_RATIO_RANGE = (1 / 1000, 1000.0)
# Yahoo's codes for a hundredth of a currency: London (GBp; GBX elsewhere), Johannesburg, Tel Aviv.
MINOR_UNITS = {"GBp": "GBP", "GBX": "GBP", "ZAc": "ZAR", "ILA": "ILS"}
CURRENCIES = sorted({code for code in iso4217.raw_table if code} | set(MINOR_UNITS))
SOURCES = ["snapshot", "yahoo", "nasdaq", "stooq", "synthetic"]
FINITE = "must be a finite number (not NaN or ±Infinity)"


def _finite(*columns: str):
    """A check that every non-null cell of `columns` is a finite number."""

    @pa.check(*columns, name="finite", error=FINITE)
    def check(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_finite().fill_null(True))

    return check


def _price(description: str, nullable: bool = True):
    return pa.Field(gt=0, le=PRICE_CEILING, nullable=nullable, description=description)


class SharePrices(pa.DataFrameModel):
    """raw.share_prices: one daily bar per ticker and trading day."""

    ticker: str = pa.Field(str_matches=TICKER_PATTERN.pattern, description="Yahoo-style symbol, e.g. NVDA, 9984.T, VOD.L")
    trade_date: dt.date = pa.Field(description="Exchange-local trading day")
    open: float = _price("Opening price, listed currency, split-adjusted")
    high: float = _price("Session high")
    low: float = _price("Session low")
    close: float = _price("Traded close, split-adjusted, not dividend-adjusted", nullable=False)
    adj_close: float = _price("Close adjusted for splits and dividends as the source gives it; null if it gives none")
    volume: int = pa.Field(ge=0, nullable=True, description="Shares traded (split-adjusted)")
    currency: str = pa.Field(description="ISO 4217 currency of the prices, or a minor unit (GBp: pence)")
    source: str = pa.Field(isin=SOURCES, description="Source that served the row")
    fetched_at: DateTime = pa.Field(dtype_kwargs={"time_unit": "us", "time_zone": "UTC"}, description="When the row was fetched (UTC)")

    class Config:
        strict = True
        unique = ["ticker", "trade_date"]

    prices_are_finite = _finite("open", "high", "low", "close", "adj_close")

    @pa.check("currency", name="currency", error=f"must be an ISO 4217 currency code or one of {', '.join(MINOR_UNITS)}")
    def currency_is_known(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_in(CURRENCIES))

    @pa.dataframe_check(error="high >= max(open, close, low) and low <= min(open, close)")
    def bar_is_consistent(cls, data: pa.PolarsData) -> pl.LazyFrame:
        hi, lo = pl.col("high"), pl.col("low")
        ok = (hi >= pl.max_horizontal("open", "close", "low")) & (lo <= pl.min_horizontal("open", "close"))
        return data.lazyframe.select(ok.fill_null(True))


class CorporateActions(pa.DataFrameModel):
    """raw.corporate_actions: splits and cash dividends."""

    ticker: str = pa.Field(str_matches=TICKER_PATTERN.pattern, description="Yahoo-style symbol")
    ex_date: dt.date = pa.Field(description="Ex-date, exchange-local")
    action: str = pa.Field(isin=["split", "dividend"], description="split or dividend")
    value: float = pa.Field(gt=0, le=PRICE_CEILING, description="Split: new shares per old share; dividend: cash per share")
    source: str = pa.Field(description="Source that served the row")

    class Config:
        strict = True
        unique = ["ticker", "ex_date", "action"]

    value_is_finite = _finite("value")

    @pa.dataframe_check(error=f"a split's ratio must lie within {SPLIT_RATIO_RANGE[0]:g} and {SPLIT_RATIO_RANGE[1]:g}")
    def split_ratio_is_plausible(cls, data: pa.PolarsData) -> pl.LazyFrame:
        low, high = SPLIT_RATIO_RANGE
        ok = (pl.col("action") != "split") | pl.col("value").is_between(low, high)
        return data.lazyframe.select(ok.fill_null(True))


def implausible_dividends(actions: pl.DataFrame, prices: pl.DataFrame) -> list[str]:
    """One problem per dividend not below its ticker's close of the last session before the
    ex-date, where the batch holds that session (a dividend cannot exceed the price it comes out of)."""
    dividends = actions.filter(pl.col("action") == "dividend")
    if dividends.is_empty() or prices.is_empty():
        return []
    closes = prices.select("ticker", "trade_date", "close").sort("trade_date")
    checked = dividends.sort("ex_date").join_asof(
        closes, left_on="ex_date", right_on="trade_date", by="ticker", strategy="backward",
        allow_exact_matches=False, check_sortedness=False,  # sorted by date; within a ticker too
    )
    too_large = checked.filter(pl.col("close").is_not_null() & (pl.col("value") >= pl.col("close")))
    return [
        f"{r['source']} {r['ticker']} {r['ex_date']} dividend: value: {r['value']} — must be below the close "
        f"of the session before ({r['trade_date']}: {r['close']})"
        for r in too_large.iter_rows(named=True)
    ]
