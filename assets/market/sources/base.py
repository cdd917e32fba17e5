"""What every price source returns, and the error it raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

PRICE_SCHEMA = {
    "ticker": pl.String,
    "trade_date": pl.Date,
    "open": pl.Float64,
    "high": pl.Float64,
    "low": pl.Float64,
    "close": pl.Float64,
    "adj_close": pl.Float64,  # as the source gives it; null when it gives none
    "volume": pl.Int64,
    "currency": pl.String,
    "source": pl.String,
}

ACTION_SCHEMA = {
    "ticker": pl.String,
    "ex_date": pl.Date,
    "action": pl.String,  # "split" (value = new shares per old share) or "dividend" (value per share)
    "value": pl.Float64,
    "source": pl.String,
}


class SourceError(Exception):
    """A source could not deliver data for a ticker; the message says which source, ticker and why.

    Every parser raises it for any malformed body, so the chain can ask the next source.
    `transient`: the failure may pass on a later attempt (a network failure, a timeout, HTTP 429 or
    5xx after the session's own retries); a body that cannot be parsed, an unknown symbol or a
    refused request is not, and retrying the step cannot help."""

    def __init__(self, source: str, ticker: str, reason: str, transient: bool = False):
        super().__init__(f"{source}: {ticker}: {reason}")
        self.source = source
        self.ticker = ticker
        self.reason = reason
        self.transient = transient


@dataclass
class PriceBatch:
    """Daily bars and corporate actions of one ticker from one source, for a date range."""

    prices: pl.DataFrame
    actions: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ACTION_SCHEMA))
    dropped_null_bars: int = 0
    covered_until: date | None = None  # last date the source could have answered for


def empty_prices() -> pl.DataFrame:
    return pl.DataFrame(schema=PRICE_SCHEMA)
