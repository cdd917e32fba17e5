"""Daily bars, splits and dividends from Yahoo Finance's keyless v8 chart API."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import polars as pl
import requests

from assets.http import TIMEOUT, BodyRejected, decode_json, make_session

from . import _common
from .base import PriceBatch, SourceError

_QUOTE_FIELDS = ("open", "high", "low", "close", "volume")
# What a chart JSON of the wrong shape raises while it is taken apart.
_SHAPE_ERRORS = (AttributeError, KeyError, IndexError, TypeError, ValueError, ArithmeticError, pl.exceptions.PolarsError)
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
            bars, actions, timestamps = _parse_result(result)
        except _SHAPE_ERRORS as exc:
            raise SourceError(self.name, ticker, f"unexpected chart JSON: {_common.one_line(exc)}") from None
        _check_period(self.name, ticker, timestamps, start, end)
        return _common.build_batch(self.name, ticker, bars, start=start, end=end, actions=actions)


def _period(start: date, end: date) -> tuple[int, int]:
    # period2 is exclusive: midnight UTC after `end`. period1 starts a day early so that an
    # exchange east of UTC (whose session opens the evening before in UTC) keeps its first bar;
    # anything before `start` in exchange-local dates is dropped after parsing.
    def midnight_utc(day: date) -> int:
        return int(datetime.combine(day, time(), timezone.utc).timestamp())

    return midnight_utc(start - timedelta(days=1)), midnight_utc(end + timedelta(days=1))


def _period_params(start: date, end: date) -> dict[str, str]:
    period1, period2 = _period(start, end)
    return {"period1": str(period1), "period2": str(period2), "interval": "1d", "events": "div|split"}


def _check_period(source: str, ticker: str, timestamps: list[int], start: date, end: date) -> None:
    """Bars that are all outside the period asked for are an answer to another question (a cached
    or redirected chart), not "no data": say so, and let the chain ask the next source."""
    period1, period2 = _period(start, end)
    if timestamps and not any(period1 <= ts < period2 for ts in timestamps):
        first, last = (datetime.fromtimestamp(ts, timezone.utc).date() for ts in (min(timestamps), max(timestamps)))
        raise SourceError(source, ticker, f"all {len(timestamps)} bars ({first}..{last}) are outside the requested range {start}..{end}")


def _not_found_message(response: requests.Response) -> str | None:
    """Yahoo's description when a 404 carries its JSON 'Not Found' error, else None."""
    try:
        error = decode_json(response.content)["chart"]["error"]
    except (BodyRejected, KeyError, TypeError, IndexError):
        return None
    if isinstance(error, dict) and error.get("code") == "Not Found":
        return error.get("description") or "Not Found"
    return None


def _chart_result(source: str, ticker: str, payload: Any) -> dict:
    chart = _object(_object(payload, "the document")["chart"], "chart")
    if chart.get("error"):
        error = _object(chart["error"], "chart.error")
        raise SourceError(source, ticker, f"Yahoo error {error.get('code')}: {error.get('description')}")
    if not chart.get("result"):
        raise SourceError(source, ticker, "chart.result is empty")
    if not isinstance(chart["result"], list):
        raise ValueError("chart.result is not an array")
    return _object(chart["result"][0], "chart.result[0]")


# Unix timestamps of bars and events must fall in these years: anything else is not a trading day
# (and would overflow the date conversion). Yahoo's oldest series start in the 1920s.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2099
_EARLIEST = int(datetime(EARLIEST_YEAR, 1, 1, tzinfo=timezone.utc).timestamp())
_LATEST = int(datetime(LATEST_YEAR + 1, 1, 1, tzinfo=timezone.utc).timestamp())
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}")


def _object(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{where} is {_kind(value)}, not an object")
    return value


def _kind(value: Any) -> str:
    return "null" if value is None else f"a {type(value).__name__}"


def _number(value: Any, where: str, *, whole: bool = False) -> float | int | None:
    """`value` if it is a finite JSON number (a whole one for `whole`) or null; else ValueError."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where} is {value!r:.40}, not a number")
    if whole:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{where} is {value!r}, not a whole number")
        if not -(2**63) <= value < 2**63:
            raise ValueError(f"{where} is {value!r:.40}, beyond a 64-bit integer")
        return int(value)
    return value


def _numbers(values: Any, where: str, *, whole: bool = False) -> list:
    if not isinstance(values, list):
        raise ValueError(f"{where} is {_kind(values)}, not an array")
    return [_number(v, f"{where}[{i}]", whole=whole) for i, v in enumerate(values)]


def _timestamp(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where} is {value!r:.40}, not a unix timestamp")
    if not _EARLIEST <= value < _LATEST:
        raise ValueError(f"{where} {value} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}")
    return value


def exchange_zone(name: Any) -> ZoneInfo:
    """The exchange's IANA time zone (`meta.exchangeTimezoneName`); ValueError if it is not one."""
    if isinstance(name, str) and _ZONE_NAME.fullmatch(name):
        try:
            return ZoneInfo(name)
        except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
            pass
    raise ValueError(f"meta.exchangeTimezoneName {name!r:.60} is not a known time zone")


def local_dates(timestamps: list[int], zone: ZoneInfo | str) -> list[date]:
    """Exchange-local calendar dates of unix timestamps (never UTC, never the machine's zone)."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    return [datetime.fromtimestamp(ts, zone).date() for ts in timestamps]


def _parse_result(result: dict) -> tuple[pl.DataFrame, pl.DataFrame, list[int]]:
    """Bars (with currency and adj_close), actions and the bar timestamps of one `chart.result`.

    Every value is checked before it becomes a row: numbers are finite JSON numbers or null
    (volumes whole), timestamps lie in EARLIEST_YEAR..LATEST_YEAR, arrays are aligned."""
    meta = _object(result.get("meta"), "meta")
    currency, zone = meta.get("currency"), exchange_zone(meta.get("exchangeTimezoneName"))
    if not isinstance(currency, str) or not currency:
        raise ValueError(f"meta.currency is {currency!r:.40}, not a currency code")
    raw_stamps = result.get("timestamp") or []  # absent when the range holds no session
    if raw_stamps:
        timestamps = [_timestamp(ts, f"timestamp[{i}]") for i, ts in enumerate(_numbers(raw_stamps, "timestamp", whole=True))]
        indicators = _object(result.get("indicators"), "indicators")
        quote = _object(_first(indicators.get("quote"), "indicators.quote"), "indicators.quote[0]")
        columns = {name: _numbers(quote.get(name), f"quote.{name}", whole=name == "volume") for name in _QUOTE_FIELDS}
        adjclose = indicators.get("adjclose")
        if adjclose:
            adj = _object(_first(adjclose, "indicators.adjclose"), "indicators.adjclose[0]").get("adjclose")
            columns["adj_close"] = _numbers(adj, "adjclose") if adj is not None else [None] * len(timestamps)
        else:
            columns["adj_close"] = [None] * len(timestamps)
    else:
        # No timestamps is a range without a session only if there are no bars either; bars without
        # their timestamps (a renamed field) must not pass as "no data".
        timestamps = []
        quote = _first((result.get("indicators") or {}).get("quote") or [{}], "indicators.quote") or {}
        if not isinstance(quote, dict) or any(quote.get(name) for name in _QUOTE_FIELDS):
            raise ValueError(f"{len(quote.get('close') or []) if isinstance(quote, dict) else '?'} bars but no 'timestamp' array")
        columns = {name: [] for name in _BAR_SCHEMA}
    lengths = {name: len(values) for name, values in columns.items() if len(values) != len(timestamps)}
    if lengths:
        raise ValueError(f"quote arrays and timestamps differ in length ({len(timestamps)} timestamps; {lengths})")
    bars = pl.DataFrame(
        {"trade_date": local_dates(timestamps, zone), **columns},
        schema={"trade_date": pl.Date, **_BAR_SCHEMA},
    ).with_columns(currency=pl.lit(currency))
    return bars, _actions(result, zone), timestamps


def _first(values: Any, where: str) -> Any:
    if not isinstance(values, list) or not values:
        raise ValueError(f"{where} is {_kind(values)}, not a non-empty array")
    return values[0]


def _actions(result: dict, zone: ZoneInfo) -> pl.DataFrame:
    """Splits (new shares per old share) and dividends (cash per share) of `chart.result.events`."""
    events = _object(result.get("events") or {}, "events")
    stamps, kinds, values = [], [], []
    for kind, group in (("split", "splits"), ("dividend", "dividends")):
        for key, event in _object(events.get(group) or {}, f"events.{group}").items():
            where = f"events.{group}[{key!r:.30}]"
            event = _object(event, where)
            stamps.append(_timestamp(event.get("date"), f"{where}.date"))
            kinds.append(kind)
            if kind == "split":
                numerator = _number(event.get("numerator"), f"{where}.numerator")
                denominator = _number(event.get("denominator"), f"{where}.denominator")
                if not numerator or not denominator or numerator < 0 or denominator < 0:
                    raise ValueError(f"{where} has ratio {numerator!r}:{denominator!r}, not two positive numbers")
                values.append(numerator / denominator)
            else:
                if (amount := _number(event.get("amount"), f"{where}.amount")) is None:
                    raise ValueError(f"{where}.amount is null")
                values.append(amount)
    return pl.DataFrame(
        {"ex_date": local_dates(stamps, zone), "action": kinds, "value": values},
        schema={"ex_date": pl.Date, "action": pl.String, "value": pl.Float64},
    )
