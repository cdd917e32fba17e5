"""The fallback chain: the next source only for the tickers the previous one failed."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.market.chain import AllSourcesFailed, fetch_universe
from assets.market.sources.base import PRICE_SCHEMA, PriceBatch, SourceError


class FakeSource:
    """A deterministic in-memory source: serves `served` tickers, fails the rest."""

    def __init__(self, name: str, served: set[str]):
        self.name, self.served, self.asked = name, served, []

    def fetch(self, ticker: str, start: date, end: date) -> PriceBatch:
        self.asked.append(ticker)
        if ticker not in self.served:
            raise SourceError(self.name, ticker, "unknown symbol")
        row = {"ticker": ticker, "trade_date": start, "open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0,
               "adj_close": None, "volume": 1, "currency": "USD", "source": self.name}
        return PriceBatch(prices=pl.DataFrame([row], schema=PRICE_SCHEMA), covered_until=start)


def test_next_source_only_for_failed_tickers():
    first, second = FakeSource("yahoo", {"AMD"}), FakeSource("nasdaq", {"AMD", "NVDA"})
    batch = fetch_universe([first, second], ["AMD", "NVDA"], date(2025, 10, 6), date(2025, 10, 6))
    assert second.asked == ["NVDA"]
    assert batch.served_by == {"AMD": "yahoo", "NVDA": "nasdaq"}
    assert dict(batch.prices.select("ticker", "source").iter_rows()) == {"AMD": "yahoo", "NVDA": "nasdaq"}
    assert batch.fallbacks == {"NVDA": ["yahoo: NVDA: unknown symbol"]}


def test_all_sources_failing_lists_each_attempt():
    with pytest.raises(AllSourcesFailed) as failure:
        fetch_universe([FakeSource("yahoo", set()), FakeSource("nasdaq", set())], ["XYZ"], date(2025, 1, 2), date(2025, 1, 2))
    assert "XYZ: yahoo: XYZ: unknown symbol; then nasdaq: XYZ: unknown symbol" in str(failure.value)


def test_a_retry_is_allowed_only_if_every_failed_ticker_failed_transiently_somewhere():
    parse = SourceError("yahoo", "AMD", "malformed JSON (HTTP 200, 0 bytes)")
    outage = SourceError("nasdaq", "AMD", "HTTP 503: 'busy'", transient=True)
    assert not AllSourcesFailed({"AMD": [parse]}).retryable
    assert AllSourcesFailed({"AMD": [parse, outage]}).retryable
    assert not AllSourcesFailed({"AMD": [outage], "NVDA": [parse]}).retryable  # NVDA cannot succeed on a retry
