"""The bundled snapshot of real daily prices (data/snapshot): the offline default source."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path

import polars as pl

from .base import ACTION_SCHEMA, PRICE_SCHEMA, PriceBatch, SourceError


class SnapshotSource:
    """Serves `prices.parquet` and `corporate_actions.csv` as if they were a live source.

    The snapshot is split-adjusted, not dividend-adjusted, so `adj_close` is null here;
    `core.prices` computes the dividend adjustment from the corporate actions.
    """

    name = "snapshot"

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @cached_property
    def _prices(self) -> pl.DataFrame:
        return pl.read_parquet(self.folder / "prices.parquet")

    @cached_property
    def _actions(self) -> pl.DataFrame:
        return pl.read_csv(self.folder / "corporate_actions.csv", try_parse_dates=True)

    def fetch(self, ticker: str, start: date, end: date) -> PriceBatch:
        rows = self._prices.filter(pl.col("ticker") == ticker)
        if rows.is_empty():
            raise SourceError(self.name, ticker, "not in the bundled snapshot (see data/snapshot/README.md)")
        in_range = pl.col("trade_date").is_between(start, end)
        prices = rows.filter(in_range).select(
            *(pl.col(c) for c in ("ticker", "trade_date", "open", "high", "low", "close")),
            pl.lit(None, pl.Float64).alias("adj_close"),
            "volume",
            "currency",
            pl.lit(self.name).alias("source"),
        )
        actions = (
            self._actions.filter(pl.col("ticker") == ticker, pl.col("ex_date").is_between(start, end))
            .with_columns(pl.lit(self.name).alias("source"))
            .select(list(ACTION_SCHEMA))
            .cast(ACTION_SCHEMA)
        )
        return PriceBatch(
            prices=prices.cast(PRICE_SCHEMA),
            actions=actions,
            covered_until=rows["trade_date"].max(),
        )
