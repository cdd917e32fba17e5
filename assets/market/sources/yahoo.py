"""Daily bars, splits and dividends from Yahoo Finance's keyless v8 chart API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
import requests

from assets.http import TIMEOUT, make_session

from . import _common
from .base import PriceBatch, SourceError

_QUOTE_FIELDS = ("open", "high", "low", "close", "volume")
# What a chart JSON of the wrong shape raises while it is taken apart.
_SHAPE_ERRORS = (AttributeError, KeyError, IndexError, TypeError, ValueError, ZeroDivisionError, pl.exceptions.PolarsError)
_BAR_SCHEMA = {name: pl.Float64 for name in _QUOTE_FIELDS} | {"volume": pl.Int64, "adj_close": pl.Float64}


class YahooSource:
    """`GET {base_url}/v8/finance/chart/{symbol}`; Yahoo-style tickers are used as they are."""

    name = "yahoo"

    def __init__(
        self,
        base_url: str,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = TIMEOUT,
    ):
        self.base_url = base_url.rstrip("/")
        self.session = session or make_session()
        self.timeout = timeout

    def fetch(self, ticker: str, start: date, end: date) -> PriceBatch:
        """Bars and actions of `ticker` dated (exchange-local) from `start` to `end`, inclusive."""
        _common.check_range(start, end)
        response = _common.get(
            self.session,
            f"{self.base_url}/v8/finance/chart/{quote(ticker, safe='')}",
            source=self.name,
            ticker=ticker,
            params=_period_params(start, end),
            timeout=self.timeout,
        )
        if response.status_code == 404 and (message := _not_found_message(response)):
            raise SourceError(self.name, ticker, f"unknown symbol (Yahoo: {message})")
        if response.status_code != 200:
            raise _common.status_error(self.name, ticker, response)
        payload = _common.parse_json(self.name, ticker, response)
        try:
            result = _chart_result(self.name, ticker, payload)
            bars, actions = _parse_result(result)
        except ZoneInfoNotFoundError as exc:
            raise SourceError(self.name, ticker, f"unknown exchange time zone {exc}") from None
        except _SHAPE_ERRORS as exc:
            raise SourceError(self.name, ticker, f"unexpected chart JSON: {type(exc).__name__}: {exc}") from None
        return _common.build_batch(self.name, ticker, bars, start=start, end=end, actions=actions)


def _period_params(start: date, end: date) -> dict[str, str]:
    # period2 is exclusive: midnight UTC after `end`. period1 starts a day early so that an
    # exchange east of UTC (whose session opens the evening before in UTC) keeps its first bar;
    # anything before `start` in exchange-local dates is dropped after parsing.
    def midnight_utc(day: date) -> int:
        return int(datetime.combine(day, time(), timezone.utc).timestamp())

    return {
        "period1": str(midnight_utc(start - timedelta(days=1))),
        "period2": str(midnight_utc(end + timedelta(days=1))),
        "interval": "1d",
        "events": "div|split",
    }


def _not_found_message(response: requests.Response) -> str | None:
    """Yahoo's description when a 404 carries its JSON 'Not Found' error, else None."""
    try:
        error = response.json()["chart"]["error"]
    except (ValueError, KeyError, TypeError):
        return None
    if isinstance(error, dict) and error.get("code") == "Not Found":
        return error.get("description") or "Not Found"
    return None


def _chart_result(source: str, ticker: str, payload: Any) -> dict:
    chart = payload["chart"]
    if chart.get("error"):
        error = chart["error"]
        raise SourceError(source, ticker, f"Yahoo error {error.get('code')}: {error.get('description')}")
    if not chart.get("result"):
        raise SourceError(source, ticker, "chart.result is empty")
    return chart["result"][0]


def local_dates(timestamps: list[int], zone_name: str) -> list[date]:
    """Exchange-local calendar dates of unix timestamps (never UTC, never the machine's zone)."""
    zone = ZoneInfo(zone_name)
    return [datetime.fromtimestamp(ts, zone).date() for ts in timestamps]


def _parse_result(result: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Bars (with currency and adj_close) and actions of one `chart.result` entry."""
    meta = result["meta"]
    currency, zone_name = meta["currency"], meta["exchangeTimezoneName"]
    if not currency:
        raise ValueError("meta.currency is empty")
    timestamps = result.get("timestamp") or []  # absent when the range holds no session
    if timestamps:
        indicators = result["indicators"]
        columns = {name: indicators["quote"][0][name] for name in _QUOTE_FIELDS}
        adjclose = (indicators.get("adjclose") or [{}])[0].get("adjclose")
        columns["adj_close"] = adjclose if adjclose is not None else [None] * len(timestamps)
    else:
        # No timestamps is a range without a session only if there are no bars either; bars without
        # their timestamps (a renamed field) must not pass as "no data".
        quote = ((result.get("indicators") or {}).get("quote") or [{}])[0] or {}
        if any(quote.get(name) for name in _QUOTE_FIELDS):
            raise ValueError(f"{len(quote.get('close') or [])} bars but no 'timestamp' array")
        columns = {name: [] for name in _BAR_SCHEMA}
    if any(len(values) != len(timestamps) for values in columns.values()):
        raise ValueError("quote arrays and timestamps differ in length")
    bars = pl.DataFrame(
        {"trade_date": local_dates(timestamps, zone_name), **columns},
        schema={"trade_date": pl.Date, **_BAR_SCHEMA},
    ).with_columns(currency=pl.lit(currency))

    events = result.get("events") or {}
    splits = list((events.get("splits") or {}).values())
    dividends = list((events.get("dividends") or {}).values())
    actions = pl.DataFrame(
        {
            "ex_date": local_dates([e["date"] for e in splits + dividends], zone_name),
            "action": ["split"] * len(splits) + ["dividend"] * len(dividends),
            "value": [e["numerator"] / e["denominator"] for e in splits] + [e["amount"] for e in dividends],
        },
        schema={"ex_date": pl.Date, "action": pl.String, "value": pl.Float64},
    )
    return bars, actions
