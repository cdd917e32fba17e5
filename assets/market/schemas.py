"""pandera.polars models of the market tables: the rules a batch must pass before it is written."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl
from pandera.engines.polars_engine import DateTime

from ..settings import TICKER_PATTERN


class SharePrices(pa.DataFrameModel):
    """raw.share_prices: one daily bar per ticker and trading day."""

    ticker: str = pa.Field(str_matches=TICKER_PATTERN.pattern, description="Yahoo-style symbol, e.g. NVDA, 9984.T")
    trade_date: dt.date = pa.Field(description="Exchange-local trading day")
    open: float = pa.Field(gt=0, nullable=True, description="Opening price, listed currency, split-adjusted")
    high: float = pa.Field(gt=0, nullable=True, description="Session high")
    low: float = pa.Field(gt=0, nullable=True, description="Session low")
    close: float = pa.Field(gt=0, description="Traded close, split-adjusted, not dividend-adjusted")
    adj_close: float = pa.Field(gt=0, nullable=True, description="Close adjusted for splits and dividends as the source gives it; null if it gives none")
    volume: int = pa.Field(ge=0, nullable=True, description="Shares traded (split-adjusted)")
    currency: str = pa.Field(isin=["USD", "JPY", "EUR", "GBP", "HKD", "KRW", "TWD", "CNY", "CAD"], description="ISO currency of the prices")
    source: str = pa.Field(isin=["snapshot", "yahoo", "nasdaq", "stooq", "synthetic"], description="Source that served the row")
    fetched_at: DateTime = pa.Field(dtype_kwargs={"time_unit": "us", "time_zone": "UTC"}, description="When the row was fetched (UTC)")

    class Config:
        strict = True
        unique = ["ticker", "trade_date"]

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
    value: float = pa.Field(gt=0, description="Split: new shares per old share; dividend: cash per share")
    source: str = pa.Field(description="Source that served the row")

    class Config:
        strict = True
        unique = ["ticker", "ex_date", "action"]
