"""AMD's GBM parameters and month-end closes from a daily price series (`trade_date, close`).

AMD pays no dividend, so its close is also its adjusted close and the log returns of `close`
are the total-return log returns that `core.prices.log_return` holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

TRADING_DAYS = 252


@dataclass(frozen=True)
class GbmEstimate:
    """Annual GBM drift (arithmetic, `mu = mean log return * 252 + sigma^2 / 2`) and volatility."""

    mu_annual: float
    sigma_annual: float
    s0: float
    s0_date: date
    window: str


def estimate_gbm(prices: pl.DataFrame, window_years: int) -> GbmEstimate:
    """Estimate from the daily log returns of the last `window_years` years of `prices`."""
    daily = prices.select("trade_date", "close").sort("trade_date")
    last = daily["trade_date"].max()
    window = daily.filter(pl.col("trade_date") >= pl.lit(last).dt.offset_by(f"-{window_years}y"))
    stats = window.select(r=pl.col("close").log().diff()).drop_nulls().select(
        n=pl.len(), mean=pl.col("r").mean(), sd=pl.col("r").std(ddof=1)).row(0, named=True)
    if stats["n"] < 2:
        raise ValueError(f"AMD prices: {stats['n']} daily returns in the last {window_years} years, need at least 2")
    sigma = stats["sd"] * TRADING_DAYS**0.5
    return GbmEstimate(
        mu_annual=stats["mean"] * TRADING_DAYS + 0.5 * sigma**2,
        sigma_annual=sigma,
        s0=float(daily["close"][-1]),
        s0_date=last,
        window=(f"{window['trade_date'][0]}..{last}: {stats['n']} daily log returns of the close, "
                f"annualised with {TRADING_DAYS} trading days"),
    )


def month_end_closes(prices: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    """`month, close_usd`: the last close of each month from `first` to `last` (first-of-month dates)."""
    return (
        prices.select(month=pl.col("trade_date").dt.truncate("1mo"), close_usd=pl.col("close").cast(pl.Float64),
                      trade_date="trade_date")
        .filter(pl.col("month").is_between(first, last))
        .sort("trade_date")
        .group_by("month", maintain_order=True)
        .agg(pl.col("close_usd").last())
    )
