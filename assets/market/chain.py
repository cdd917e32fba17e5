"""Fetch a universe of tickers through a fallback chain of sources (no Dagster here)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import polars as pl

from .sources.base import ACTION_SCHEMA, PRICE_SCHEMA, PriceBatch, SourceError


class AllSourcesFailed(RuntimeError):
    """No source in the chain could serve some tickers; nothing of the batch is written.

    `retryable` is False when every source's failure for some ticker was permanent (a malformed
    body, an unknown symbol): asking again cannot succeed, so the step is not retried."""

    def __init__(self, failures: dict[str, list[SourceError]]):
        self.failures = failures
        # A retry of the step can help only if, for every failed ticker, some source failed transiently.
        self.retryable = all(any(e.transient for e in errors) for errors in failures.values())
        lines = [f"{ticker}: " + "; then ".join(str(e) for e in errors) for ticker, errors in failures.items()]
        super().__init__("no source could serve these tickers:\n  " + "\n  ".join(lines))


@dataclass
class UniverseBatch:
    """Prices and actions of every ticker, with which source served each and how far it reached."""

    prices: pl.DataFrame
    actions: pl.DataFrame
    served_by: dict[str, str] = field(default_factory=dict)
    covered_until: dict[str, date | None] = field(default_factory=dict)
    dropped_null_bars: dict[str, int] = field(default_factory=dict)
    fallbacks: dict[str, list[str]] = field(default_factory=dict)  # ticker -> errors before success


class PriceSource(Protocol):
    """What every source module implements."""

    name: str

    def fetch(self, ticker: str, start: date, end: date) -> PriceBatch: ...


def fetch_universe(
    sources: Sequence[PriceSource],
    tickers: Sequence[str],
    start: date,
    end: date,
    log: Callable[[str], None] = lambda _msg: None,
) -> UniverseBatch:
    """Ask each source in order for each ticker; the next source only when the previous failed."""
    prices, actions, failures = [], [], {}
    batch = UniverseBatch(prices=pl.DataFrame(schema=PRICE_SCHEMA), actions=pl.DataFrame(schema=ACTION_SCHEMA))
    for ticker in tickers:
        errors: list[SourceError] = []
        for source in sources:
            try:
                got = source.fetch(ticker, start, end)
            except SourceError as exc:
                errors.append(exc)
                log(f"{exc} — trying the next source" if source is not sources[-1] else str(exc))
                continue
            prices.append(got.prices)
            actions.append(got.actions)
            batch.served_by[ticker] = source.name
            batch.covered_until[ticker] = got.covered_until
            batch.dropped_null_bars[ticker] = got.dropped_null_bars
            if errors:
                batch.fallbacks[ticker] = [str(e) for e in errors]
            break
        else:
            failures[ticker] = errors
    if failures:
        raise AllSourcesFailed(failures)
    batch.prices = pl.concat([batch.prices, *prices])
    batch.actions = pl.concat([batch.actions, *actions])
    # One line for the whole universe, not one per ticker: in a Dagster run every log line is an
    # event written to the instance's storage (~10 ms each in SQLite, 500 tickers = seconds).
    # Failures above are still logged one by one; rows per ticker are in UniverseBatch/metadata.
    by_source = Counter(batch.served_by.values())
    log(f"{len(batch.served_by)} tickers, {batch.prices.height} rows: " + ", ".join(f"{n} served by {name}" for name, n in by_source.items()))
    return batch
