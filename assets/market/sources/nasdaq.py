"""Daily bars of US-listed symbols from Nasdaq's quote API (`api.nasdaq.com`).

Nasdaq answers errors inside HTTP 200 JSON (`status.rCode` != 200, `data: null`), writes numbers
as text (`"$137.71"`, `"30,002,510"`, `"--"` for none) and gives no adjusted close and no
corporate actions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import quote

import polars as pl
import requests

from assets.http import TIMEOUT, make_session

from . import _common
from .base import PriceBatch, SourceError

# Nasdaq stalls or rejects requests that do not look like they come from its own web page.
BROWSER_HEADERS = {
    "Accept": "application/json",
    "Accept-Language": "en-US,en;q=0.9",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36",
    "Origin": "https://www.nasdaq.com",
    "Referer": "https://www.nasdaq.com/",
}
_COLUMNS = ("date", "open", "high", "low", "close", "volume")
_MISSING = ["--", "", "N/A"]
# Nasdaq's text forms, matched whole: "10/06/2025" (a four-digit year: "10/06/25" is refused, not
# read as year 25), "$1,234.56" or "1234.56", "115,748,100". Anything else ("inf", "1e5", "12.5"
# as a volume, "1,2,3") is an error naming the row, never a number.
_FORMS = {
    "date": (re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4}"), "a MM/DD/YYYY date"),
    **dict.fromkeys(("open", "high", "low", "close"), (re.compile(r"\$?([0-9]{1,3}(,[0-9]{3})*|[0-9]+)(\.[0-9]+)?"), "a price such as $123.45")),
    "volume": (re.compile(r"([0-9]{1,3}(,[0-9]{3})*|[0-9]+)"), "a whole number such as 1,234,567"),
}


def unservable(ticker: str) -> str | None:
    """Why Nasdaq cannot serve `ticker` (known before asking), or None: it lists US stocks and
    ETFs only, so no exchange suffix (`9984.T`), index (`^GSPC`) or currency pair (`EURUSD=X`)."""
    if any(mark in ticker for mark in ".^="):
        return "not served by nasdaq (US stock and ETF symbols only)"
    return None


class NasdaqSource:
    """`GET {base_url}/api/quote/{symbol}/historical`; serves US symbols only (no `.XX` suffix).

    `asset_classes` maps a ticker to Nasdaq's `assetclass` where it is not "stocks"
    (e.g. `{"SPY": "etf", "QQQ": "etf"}`).
    """

    name = "nasdaq"

    def __init__(
        self,
        base_url: str,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = TIMEOUT,
        asset_classes: Mapping[str, str] | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.session = session or make_session()
        self.timeout = timeout
        self.asset_classes = dict(asset_classes or {})

    def symbol(self, ticker: str) -> str:
        """Nasdaq's form of a Yahoo-style ticker: `BRK-B` -> `BRK.B`; `9984.T` is not served."""
        if reason := unservable(ticker):
            raise SourceError(self.name, ticker, reason)
        return ticker.replace("-", ".")

    def fetch(self, ticker: str, start: date, end: date) -> PriceBatch:
        """Bars of `ticker` from `start` to `end`, inclusive; no actions (Nasdaq gives none)."""
        _common.check_range(start, end)
        response = _common.get(
            self.session,
            f"{self.base_url}/api/quote/{quote(self.symbol(ticker), safe='')}/historical",
            source=self.name,
            ticker=ticker,
            params={
                "assetclass": self.asset_classes.get(ticker, "stocks"),
                "fromdate": start.isoformat(),
                "todate": end.isoformat(),
                "limit": "9999",
            },
            timeout=self.timeout,
            headers=BROWSER_HEADERS,
        )
        if response.status_code != 200:
            raise _common.status_error(self.name, ticker, response)
        payload = _common.parse_json(self.name, ticker, response)
        try:
            rows = _rows(self.name, ticker, payload)
            bars = _parse_rows(rows)
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, pl.exceptions.PolarsError) as exc:
            raise SourceError(self.name, ticker, f"unexpected historical JSON: {_common.one_line(exc)}") from None
        return _common.build_batch(self.name, ticker, bars, start=start, end=end)


def _rows(source: str, ticker: str, payload: Any) -> list[dict]:
    if not isinstance(payload, dict):
        raise TypeError(f"the document is a {type(payload).__name__}, not an object")
    status = payload.get("status") or {}
    if not isinstance(status, dict):
        raise TypeError("'status' is not an object")
    if status.get("rCode") != 200:
        messages = [m.get("errorMessage") or str(m) if isinstance(m, dict) else str(m) for m in status.get("bCodeMessage") or []]
        detail = "; ".join(messages) or payload.get("message") or "no message"
        raise SourceError(source, ticker, f"Nasdaq error rCode {status.get('rCode')!r:.20}: {str(detail)[:200]}")
    if payload.get("data") is None:
        raise SourceError(source, ticker, "rCode 200 but 'data' is null")
    table = payload["data"].get("tradesTable") or {}
    rows = table.get("rows") or []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise TypeError("tradesTable.rows is not an array of objects")
    return rows


def _parse_rows(rows: list[dict]) -> pl.DataFrame:
    """Text rows -> typed bars; a value neither in its field's form nor a 'none' marker raises.

    A row without one of the fields (Nasdaq renamed or dropped it) raises KeyError: read with the
    fixed schema, it would become a bar without a close, be dropped, and look like "no data"."""
    for number, row in enumerate(rows):
        absent = [name for name in _COLUMNS if name not in row]
        if absent:
            raise KeyError(f"row {number} has no {', '.join(absent)} field (fields: {', '.join(sorted(map(str, row)))})")
        for name, (form, wanted) in _FORMS.items():
            value = row[name].strip() if isinstance(row[name], str) else row[name]
            if not (isinstance(value, str) and (form.fullmatch(value) or (name != "date" and value in _MISSING))):
                raise ValueError(f"row {number} ({row['date']!r:.20}): {name} {value!r:.40} is not {wanted}")
    raw = pl.from_dicts(rows, schema=dict.fromkeys(_COLUMNS, pl.String)).with_columns(pl.col(_COLUMNS).str.strip_chars())

    def number(name: str, dtype: pl.DataType) -> pl.Expr:
        text = pl.col(name)
        cleaned = pl.when(text.is_in(_MISSING)).then(None).otherwise(text.str.replace_all(r"[$,]", ""))
        return cleaned.cast(dtype).alias(name)

    return raw.select(
        pl.col("date").str.to_date("%m/%d/%Y").alias("trade_date"),
        *(number(name, pl.Float64) for name in ("open", "high", "low", "close")),
        number("volume", pl.Int64),
        currency=pl.lit("USD"),
    )
