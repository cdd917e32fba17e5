"""Daily bars from Stooq's CSV download (`/q/d/l/`), which needs an API key since 2026.

Stooq answers most errors with HTTP 200 and a text instead of CSV ("No data", "Exceeded the daily
hits limit", "Get your apikey", or an HTML verification page). It gives no adjusted close and no
corporate actions. The API key never appears in an error message or in urllib3's logs.
"""

from __future__ import annotations

import io
import re
from datetime import date

import polars as pl
import requests

from assets.http import TIMEOUT, make_session

from . import _common
from .base import PriceBatch, SourceError

_HEADER = "Date,Open,High,Low,Close"
# Yahoo suffix -> (Stooq suffix, currency); a ticker without a suffix is a US symbol.
_MARKETS = {"": ("us", "USD"), "T": ("jp", "JPY")}


def _split_suffix(ticker: str) -> tuple[str, str, str]:
    base, dot, suffix = ticker.rpartition(".")
    return (base, dot, suffix) if dot else (ticker, "", "")


def unservable(ticker: str) -> str | None:
    """Why Stooq (as mapped here) cannot serve `ticker`, known before asking; None if it can.
    Only US symbols and Tokyo's `.T` are mapped; indices (`^GSPC`) and pairs (`EURUSD=X`) are not."""
    if "^" in ticker or "=" in ticker:
        return "not served by stooq (indices and currency pairs are not mapped)"
    if (suffix := _split_suffix(ticker)[2]) not in _MARKETS:
        return f"not served by stooq (no mapping for suffix .{suffix})"
    return None


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
        if reason := unservable(ticker):
            raise SourceError(self.name, ticker, reason)
        base, _, suffix = _split_suffix(ticker)
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
            reason = _common.redact(f"unparseable CSV: {_common.one_line(exc)}", self._api_key)
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


# Stooq's fields, matched whole: an ISO date, plain decimals for prices, a whole number of shares.
# "inf", "nan", "1e5", an empty field, or a fractional volume is an error naming the line.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_WHOLE = re.compile(r"[0-9]+")
_FIELD_FORMS = {"Date": (_DATE, "a YYYY-MM-DD date"), "Volume": (_WHOLE, "a whole number of shares")}


def _check_complete(source: str, ticker: str, text: str) -> None:
    """The CSV must be whole and plain before polars reads it: line breaks CRLF or LF (a lone CR
    would read as one line and 0 rows), a line break after the last line (Stooq ends every line
    with one: without it the body was cut inside its last field), as many fields on every line as
    in the header, and every field in its form (_FIELD_FORMS; prices plain decimals)."""
    if "\r" in text.replace("\r\n", ""):
        raise SourceError(source, ticker, "CSV with a carriage return that does not end a CRLF line break (CR-only line endings?)")
    header, *lines = text.splitlines()
    names = header.split(",")
    for number, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        fields = line.split(",")
        if len(fields) != len(names):
            raise SourceError(source, ticker, f"truncated CSV: line {number} has {len(fields)} of {len(names)} fields")
        for name, value in zip(names, fields):
            form, wanted = _FIELD_FORMS.get(name, (_DECIMAL, "a decimal number"))
            if not form.fullmatch(value):
                raise SourceError(source, ticker, f"line {number}: {name} {value!r:.40} is not {wanted}")
    if not text.endswith("\n"):
        raise SourceError(source, ticker, "truncated CSV: the last line has no line break (the body was cut)")


def _parse_csv(text: str, currency: str) -> pl.DataFrame:
    raw = pl.read_csv(io.StringIO(text), infer_schema=False)
    volume = pl.col("Volume").cast(pl.Int64) if "Volume" in raw.columns else pl.lit(None, pl.Int64)
    return raw.select(
        pl.col("Date").str.to_date("%Y-%m-%d").alias("trade_date"),
        *(pl.col(name).cast(pl.Float64).alias(name.lower()) for name in ("Open", "High", "Low", "Close")),
        volume.alias("volume"),
        currency=pl.lit(currency),
    )
