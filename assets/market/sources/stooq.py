"""Daily bars from Stooq's CSV download (`/q/d/l/`), which needs an API key since 2026.

Stooq answers most errors with HTTP 200 and a text instead of CSV ("No data", "Exceeded the daily
hits limit", "Get your apikey", or an HTML verification page). It gives no adjusted close and no
corporate actions. The API key never appears in an error message or in urllib3's logs.
"""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import requests

from assets.http import TIMEOUT, make_session

from . import _common
from .base import PriceBatch, SourceError

_HEADER = "Date,Open,High,Low,Close"
# Yahoo suffix -> (Stooq suffix, currency); a ticker without a suffix is a US symbol.
_MARKETS = {"": ("us", "USD"), "T": ("jp", "JPY")}


class StooqSource:
    """`GET {base_url}/q/d/l/?s={symbol}&i=d&d1=YYYYMMDD&d2=YYYYMMDD&apikey={api_key}`."""

    name = "stooq"

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = TIMEOUT,
    ):
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.session = session or make_session()
        self.timeout = timeout
        _common.redact_api_keys_in_urllib3_logs()

    def __repr__(self) -> str:
        return f"StooqSource(base_url={self.base_url!r}, api_key={'***' if self._api_key else None})"

    def symbol(self, ticker: str) -> tuple[str, str]:
        """Stooq's symbol and the currency: `NVDA` -> (`nvda.us`, USD), `9984.T` -> (`9984.jp`, JPY)."""
        base, dot, suffix = ticker.rpartition(".")
        if not dot:
            base, suffix = ticker, ""
        if suffix not in _MARKETS:
            raise SourceError(self.name, ticker, f"not served by stooq (no mapping for suffix .{suffix})")
        market, currency = _MARKETS[suffix]
        return f"{base.lower()}.{market}", currency

    def fetch(self, ticker: str, start: date, end: date) -> PriceBatch:
        """Bars of `ticker` from `start` to `end`, inclusive; no actions (Stooq gives none)."""
        _common.check_range(start, end)
        symbol, currency = self.symbol(ticker)
        if not self._api_key:
            raise SourceError(self.name, ticker, "no API key configured (Stooq requires one since 2026)")
        response = _common.get(
            self.session,
            f"{self.base_url}/q/d/l/",
            source=self.name,
            ticker=ticker,
            params={
                "s": symbol,
                "i": "d",
                "d1": start.strftime("%Y%m%d"),
                "d2": end.strftime("%Y%m%d"),
                "apikey": self._api_key,
            },
            timeout=self.timeout,
            secret=self._api_key,
        )
        if response.status_code != 200:
            raise _common.status_error(self.name, ticker, response, secret=self._api_key)
        text = response.content.decode("utf-8-sig", errors="replace")
        if not text.startswith(_HEADER):
            raise SourceError(self.name, ticker, _common.redact(_not_csv_reason(text), self._api_key))
        _check_complete(self.name, ticker, text)
        try:
            bars = _parse_csv(text, currency)
        except pl.exceptions.PolarsError as exc:
            reason = _common.redact(f"unparseable CSV: {type(exc).__name__}: {exc}", self._api_key)
            raise SourceError(self.name, ticker, reason) from None
        return _common.build_batch(self.name, ticker, bars, start=start, end=end)


def _not_csv_reason(text: str) -> str:
    """Name each of Stooq's HTTP-200 error answers; anything else is quoted."""
    lowered = text.strip().lower()
    if _common.looks_like_html(text):
        return "got an HTML page instead of CSV (likely a bot-verification page)"
    if lowered.startswith("no data"):
        return "no data for this symbol and range (Stooq answered 'No data')"
    if "exceeded the daily hits limit" in lowered:
        return "daily hits limit exceeded (Stooq answered 'Exceeded the daily hits limit')"
    if "apikey" in lowered:
        return "API key missing or not accepted (Stooq answered 'Get your apikey')"
    return f"unexpected answer instead of CSV: {_common.snippet(text)}"


def _check_complete(source: str, ticker: str, text: str) -> None:
    """Every line must have as many fields as the header; a short last line means truncation."""
    header, *lines = text.splitlines()
    expected = header.count(",") + 1
    for number, line in enumerate(lines, start=2):
        if line.strip() and line.count(",") + 1 != expected:
            raise SourceError(
                source, ticker, f"truncated CSV: line {number} has {line.count(',') + 1} of {expected} fields"
            )


def _parse_csv(text: str, currency: str) -> pl.DataFrame:
    raw = pl.read_csv(io.StringIO(text), infer_schema=False)
    volume = pl.col("Volume").cast(pl.Float64).cast(pl.Int64) if "Volume" in raw.columns else pl.lit(None, pl.Int64)
    return raw.select(
        pl.col("Date").str.to_date("%Y-%m-%d").alias("trade_date"),
        *(pl.col(name).cast(pl.Float64).alias(name.lower()) for name in ("Open", "High", "Low", "Close")),
        volume.alias("volume"),
        currency=pl.lit(currency),
    )
