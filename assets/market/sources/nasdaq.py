"""Daily bars of US-listed symbols from Nasdaq's quote API (`api.nasdaq.com`).

Nasdaq answers errors inside HTTP 200 JSON (`status.rCode` != 200, `data: null`), writes numbers
as text (`"$137.71"`, `"30,002,510"`, `"--"` for none) and gives no adjusted close and no
corporate actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

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
        if "." in ticker:
            raise SourceError(self.name, ticker, "not served by nasdaq (US symbols only)")
        return ticker.replace("-", ".")

    def fetch(self, ticker: str, start: date, end: date) -> PriceBatch:
        """Bars of `ticker` from `start` to `end`, inclusive; no actions (Nasdaq gives none)."""
        _common.check_range(start, end)
        response = _common.get(
            self.session,
            f"{self.base_url}/api/quote/{self.symbol(ticker)}/historical",
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
        except (KeyError, TypeError, AttributeError, pl.exceptions.PolarsError) as exc:
            raise SourceError(self.name, ticker, f"unexpected historical JSON: {type(exc).__name__}: {exc}") from None
        return _common.build_batch(self.name, ticker, bars, start=start, end=end)


def _rows(source: str, ticker: str, payload: Any) -> list[dict]:
    status = payload.get("status") or {}
    if status.get("rCode") != 200:
        messages = [m.get("errorMessage") or str(m) for m in status.get("bCodeMessage") or []]
        detail = "; ".join(messages) or payload.get("message") or "no message"
        raise SourceError(source, ticker, f"Nasdaq error rCode {status.get('rCode')}: {detail}")
    if payload.get("data") is None:
        raise SourceError(source, ticker, "rCode 200 but 'data' is null")
    table = payload["data"].get("tradesTable") or {}
    return table.get("rows") or []


def _parse_rows(rows: list[dict]) -> pl.DataFrame:
    """Text rows -> typed bars; a value that is neither a number nor a 'none' marker raises.

    A row without one of the fields (Nasdaq renamed or dropped it) raises KeyError: read with the
    fixed schema, it would become a bar without a close, be dropped, and look like "no data"."""
    for row in rows:
        absent = [name for name in _COLUMNS if name not in row]
        if absent:
            raise KeyError(f"row has no {', '.join(absent)} field (fields: {', '.join(sorted(row))})")
    raw = pl.from_dicts(rows, schema=dict.fromkeys(_COLUMNS, pl.String))

    def number(name: str, dtype: pl.DataType) -> pl.Expr:
        text = pl.col(name).str.strip_chars()
        cleaned = pl.when(text.is_in(_MISSING)).then(None).otherwise(text.str.replace_all(r"[$,]", ""))
        return cleaned.cast(dtype).alias(name)

    return raw.select(
        pl.col("date").str.to_date("%m/%d/%Y").alias("trade_date"),
        *(number(name, pl.Float64) for name in ("open", "high", "low", "close")),
        number("volume", pl.Int64),
        currency=pl.lit("USD"),
    )
