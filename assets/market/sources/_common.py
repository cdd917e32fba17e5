"""Helpers shared by the live price sources: the GET itself, error texts, and the final frames.

No Dagster here. Every failure becomes a `SourceError` whose reason is written for a person
(never a bare traceback), and nothing that may carry an API key reaches a message or a log.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

import polars as pl
import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError

from assets.http import BodyRejected, decode_json, get_bounded

from .base import ACTION_SCHEMA, PRICE_SCHEMA, PriceBatch, SourceError

_API_KEY_IN_URL = re.compile(r"(apikey=)[^&\s'\"]+", re.IGNORECASE)
# urllib3 writes request URLs (query included) into these loggers on retries and at DEBUG level.
_URLLIB3_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.connection")


def redact(text: str, secret: str | None = None) -> str:
    """`text` with `secret` and any `apikey=...` query value replaced by `***`."""
    if secret:
        text = text.replace(secret, "***")
    return _API_KEY_IN_URL.sub(r"\1***", text)


class _RedactApiKeys(logging.Filter):
    """Rewrites log records that contain an `apikey=` query value."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def redact_api_keys_in_urllib3_logs() -> None:
    """Install (once) a filter that hides `apikey=` values in urllib3's own log records."""
    for name in _URLLIB3_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactApiKeys) for f in logger.filters):
            logger.addFilter(_RedactApiKeys())


def check_range(start: date, end: date) -> None:
    """A caller error, not a source failure: the range must not run backwards."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")


def get(
    session: requests.Session,
    url: str,
    *,
    source: str,
    ticker: str,
    params: dict[str, str],
    timeout: tuple[float, float],
    headers: dict[str, str] | None = None,
    secret: str | None = None,
) -> requests.Response:
    """GET through the retrying session; a network failure, a timeout or a body over the size limit
    (`assets.http.MAX_BODY_BYTES`) becomes a `SourceError`.

    The status code is left to the caller. The error is raised outside the `except` block so no
    chained exception (whose text holds the full URL, API key included) travels with it.
    """
    try:
        return get_bounded(session, url, params=params, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        reason, transient = _describe(exc, timeout), True
    except BodyRejected as exc:
        reason, transient = str(exc), False
    raise SourceError(source, ticker, redact(reason, secret), transient=transient)


def _describe(exc: requests.RequestException, timeout: tuple[float, float]) -> str:
    # After retries urllib3 wraps the last error in MaxRetryError, which requests turns into a
    # plain ConnectionError even when that error was a read timeout. (A refused connection is a
    # NewConnectionError, which urllib3 derives from ConnectTimeoutError.)
    inner = getattr(exc.args[0], "reason", None) if exc.args else None
    timed_out = isinstance(inner, (ReadTimeoutError, ConnectTimeoutError)) and not isinstance(inner, NewConnectionError)
    if isinstance(exc, requests.Timeout) or timed_out:
        return f"timed out (connect {timeout[0]} s, read {timeout[1]} s), retries exhausted"
    if isinstance(exc, requests.ConnectionError):
        return f"connection failed: {inner or exc}"
    return f"request failed: {type(exc).__name__}: {exc}"


def status_error(source: str, ticker: str, response: requests.Response, secret: str | None = None) -> SourceError:
    """The error for a non-200 answer that the retries could not turn into a 200 (transient for
    429 and 5xx: a later attempt may succeed; not for 4xx)."""
    if response.status_code == 429:
        return SourceError(source, ticker, "rate limited (HTTP 429 after retries)", transient=True)
    reason = redact(f"HTTP {response.status_code}: {snippet(response.text)}", secret)
    return SourceError(source, ticker, reason, transient=response.status_code >= 500)


def snippet(text: str, limit: int = 120) -> str:
    """The start of a body on one line, for error messages."""
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[:limit] + "...")


def one_line(exc: BaseException, limit: int = 200) -> str:
    """An exception in one line for a reason: a parser's own ValueError as its message, anything
    else as `Type: first line` (polars' messages run on with context and hints), cut to `limit`."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    if type(exc) is not ValueError:
        text = f"{type(exc).__name__}: {text}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def looks_like_html(text: str) -> bool:
    """True for an HTML page (consent, captcha, error page); JSON and CSV never start with '<'."""
    return text.lstrip().startswith("<")


def parse_json(source: str, ticker: str, response: requests.Response) -> Any:
    """The decoded JSON body (bounded: see `assets.http.decode_json`); an HTML page, a truncated or
    invalid body, nesting too deep or a NaN/Infinity is a `SourceError`."""
    if looks_like_html(response.content[:512].decode("utf-8", errors="replace")):
        raise SourceError(source, ticker, f"got an HTML page instead of JSON (HTTP {response.status_code})")
    try:
        return decode_json(response.content)
    except BodyRejected as exc:
        where = f"HTTP {response.status_code}, {len(response.content)} bytes"
        reason = f"{exc.what} ({where})" + (f": {exc.detail}" if exc.detail else "")
    raise SourceError(source, ticker, reason)


def build_batch(
    source: str,
    ticker: str,
    bars: pl.DataFrame,
    *,
    start: date,
    end: date,
    actions: pl.DataFrame | None = None,
) -> PriceBatch:
    """Turn parsed bars (and actions) into a `PriceBatch` with the exact schemas.

    `bars` has trade_date, open, high, low, close, volume, currency and optionally adj_close;
    `actions` has ex_date, action, value. Rows outside [start, end] are left out; bars without a
    close are dropped and counted; identical repeats collapse to one row, conflicting ones raise.

    This runs once per ticker on frames of a few rows, where each polars query costs far more than
    the rows themselves; so each frame goes through one lazy query, and the rest are cheap checks.
    """
    in_range = pl.col("trade_date").is_between(start, end)
    null_close = pl.col("close").is_null()
    # Counting needs a query of its own: skip it when the source sent no bar without a close.
    dropped_null_bars = bars.select((in_range & null_close).sum()).item() if bars["close"].null_count() else 0
    lazy_bars = bars.lazy()
    if "adj_close" not in bars.columns:
        lazy_bars = lazy_bars.with_columns(adj_close=pl.lit(None, pl.Float64))
    kept = lazy_bars.filter(in_range, pl.col("close").is_not_null())
    prices = _conform(kept, ticker, source, _PRICE_COLUMNS, key=["trade_date"])

    if actions is None or actions.is_empty():
        actions = pl.DataFrame(schema=ACTION_SCHEMA)
    else:
        actions = actions.lazy().filter(pl.col("ex_date").is_between(start, end))
        actions = _conform(actions, ticker, source, _ACTION_COLUMNS, key=["ex_date", "action"])
    return PriceBatch(
        prices=prices,
        actions=actions,
        dropped_null_bars=dropped_null_bars,
        covered_until=prices["trade_date"].max() if prices.height else None,
    )


def _columns(schema: dict) -> list[pl.Expr]:
    """The expressions that give a frame exactly the columns (order and types) of `schema`."""
    return [pl.col(name).cast(dtype) for name, dtype in schema.items()]


# Built once: on a few rows, making these expressions costs a good part of running them.
_PRICE_COLUMNS = _columns(PRICE_SCHEMA)
_ACTION_COLUMNS = _columns(ACTION_SCHEMA)


def _conform(frame: pl.LazyFrame, ticker: str, source: str, columns: list[pl.Expr], key: list[str]) -> pl.DataFrame:
    """`frame` with `ticker` and `source` filled in, cast to `columns` and sorted by `key`.

    Identical repeats collapse to one row; rows that share a key but differ raise a `SourceError`.
    The sort keeps the input order among equal keys, so `unique` keeps the same first row of a
    repeat as it would on the unsorted rows. Only a frame whose key repeats (rare) pays for it.
    The in-memory engine is the one eager polars uses; "auto" may pick the streaming engine,
    whose start-up costs more than a query over a few rows.
    """
    rows = (
        frame.with_columns(ticker=pl.lit(ticker), source=pl.lit(source))
        .select(columns)
        .sort(key, maintain_order=True)
        .collect(engine="in-memory")
    )
    if not rows[key].is_duplicated().any():
        return rows
    rows = rows.unique(maintain_order=True)
    conflicts = rows.filter(pl.struct(key).is_duplicated())
    if conflicts.height:
        days = ", ".join(str(d) for d in conflicts[key[0]].unique().sort())
        raise SourceError(source, ticker, f"conflicting rows for the same day: {days}")
    return rows
