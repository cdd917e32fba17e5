"""Rebuild the bundled price snapshot from the reference copies of real Yahoo/exchange data.

Usage: .venv/bin/python data/snapshot/make_snapshot.py /path/to/shared/reference/prices

Writes `prices.parquet` (one row per ticker and trading day) and `corporate_actions.csv`
(dividends from the reference files plus the splits named in their README). Values are carried
over unchanged except that prices are rounded to 4 decimals: the reference files hold Yahoo's
float32 artefacts (203.7100067138672 for a traded 203.71).
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
US_TICKERS = ["NVDA", "AMD", "ORCL", "MSFT", "AVGO", "AMZN", "INTC", "META", "CRWV", "SPY", "QQQ"]
# Splits already divided through in the reference prices (reference README, "Adjustment").
SPLITS = [("NVDA", "2024-06-10", 10.0), ("AVGO", "2024-07-15", 10.0), ("9984.T", "2026-01-01", 4.0)]


def read_prices(path: Path, ticker: str, currency: str) -> pl.DataFrame:
    # `#VALUE!` marks a session that did not trade: the TSE's system failure halted all trading
    # on 2020-10-01. Such rows are dropped, not turned into prices.
    raw = pl.read_csv(path, columns=["Date", "Open", "High", "Low", "Close", "Volume"], null_values=["#VALUE!"])
    return raw.filter(pl.col("Close").is_not_null()).select(
        pl.lit(ticker).alias("ticker"),
        pl.col("Date").str.to_date().alias("trade_date"),
        *(pl.col(c).cast(pl.Float64).round(4).alias(c.lower()) for c in ("Open", "High", "Low", "Close")),
        pl.col("Volume").cast(pl.Int64).alias("volume"),
        pl.lit(currency).alias("currency"),
    )


def main(reference: Path) -> None:
    frames = [read_prices(reference / f"{t}.csv", t, "USD") for t in US_TICKERS]
    frames.append(read_prices(reference / "9984.T.csv", "9984.T", "JPY"))
    prices = pl.concat(frames).sort("ticker", "trade_date")
    prices.write_parquet(HERE / "prices.parquet", compression="zstd", compression_level=19)

    dividends = pl.concat(
        pl.read_csv(reference / f"{t}_dividends.csv", schema={"Date": pl.String, "Dividend": pl.Float64}).select(
            pl.lit(t).alias("ticker"),
            pl.col("Date").str.to_date().alias("ex_date"),
            pl.lit("dividend").alias("action"),
            pl.col("Dividend").alias("value"),
        )
        for t in US_TICKERS
    )
    splits = pl.DataFrame(SPLITS, schema=["ticker", "ex_date", "value"], orient="row").select(
        "ticker", pl.col("ex_date").str.to_date(), pl.lit("split").alias("action"), "value"
    )
    pl.concat([dividends, splits]).sort("ticker", "ex_date", "action").write_csv(HERE / "corporate_actions.csv")
    print(f"{prices.height} price rows, {dividends.height} dividends, {splits.height} splits")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
