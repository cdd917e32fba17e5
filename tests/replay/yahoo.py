"""A loopback server that answers Yahoo's v8 chart API in its real format, from a price table.

Bars carry their session-open timestamp (09:30 New York, 09:00 Tokyo), as Yahoo sends them.
Used by the integration tests and by benchmarks/ingest.py; `IndexedYahooReplay` serves the large
synthetic table of benchmarks/scale.py. Both bind 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

EXCHANGES = {"JPY": ("Asia/Tokyo", time(9, 0)), "USD": ("America/New_York", time(9, 30))}
NOT_FOUND = {"chart": {"result": None, "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"}}}


def chart_json(symbol: str, bars: pl.DataFrame, actions: pl.DataFrame | None = None) -> dict:
    """The v8 chart document for `bars` (ticker, trade_date, open, high, low, close, volume, currency)."""
    currency = bars["currency"][0] if bars.height else "USD"
    zone_name, open_time = EXCHANGES[currency]
    zone = ZoneInfo(zone_name)

    def stamp(day: date) -> int:
        return int(datetime.combine(day, open_time, zone).timestamp())

    quote = {c: bars[c].to_list() for c in ("open", "high", "low", "close", "volume")}
    events: dict[str, dict] = {"dividends": {}, "splits": {}}
    for row in (actions if actions is not None else pl.DataFrame()).iter_rows(named=True):
        ts = stamp(row["ex_date"])
        if row["action"] == "dividend":
            events["dividends"][str(ts)] = {"amount": row["value"], "date": ts}
        else:
            events["splits"][str(ts)] = {"date": ts, "numerator": row["value"], "denominator": 1.0, "splitRatio": f"{row['value']:g}:1"}
    result = {
        "meta": {"currency": currency, "symbol": symbol, "exchangeTimezoneName": zone_name, "dataGranularity": "1d"},
        "timestamp": [stamp(d) for d in bars["trade_date"]],
        "events": events,
        "indicators": {"quote": [quote], "adjclose": [{"adjclose": quote["close"]}]},
    }
    if not bars.height:
        del result["timestamp"], result["indicators"]
    return {"chart": {"result": [result], "error": None}}


class YahooReplay:
    """`with YahooReplay(prices, actions) as base_url:` serves the chart API on 127.0.0.1."""

    def __init__(self, prices: pl.DataFrame, actions: pl.DataFrame | None = None):
        self.prices = prices.partition_by("ticker", as_dict=True)
        self.actions = actions
        self.requests: list[str] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                replay.requests.append(self.path)
                status, payload = replay.respond(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def respond(self, path: str) -> tuple[int, bytes]:
        """The status and encoded body for a request path."""
        status, body = self.answer(path)
        return status, json.dumps(body).encode()

    def answer(self, path: str) -> tuple[int, dict]:
        url = urlparse(path)
        symbol = unquote(url.path.rsplit("/", 1)[-1])
        bars = self.prices.get((symbol,))
        if bars is None:
            return 404, NOT_FOUND
        query = parse_qs(url.query)
        lo, hi = int(query["period1"][0]), int(query["period2"][0])
        zone_name, open_time = EXCHANGES[bars["currency"][0]]

        def in_period(column: str) -> pl.Expr:  # the session-open timestamp lies in [period1, period2)
            opens = pl.col(column).dt.combine(open_time).dt.replace_time_zone(zone_name).dt.epoch("s")
            return opens.is_between(lo, hi, closed="left")

        window = bars.filter(in_period("trade_date"))
        actions = None
        if self.actions is not None:
            actions = self.actions.filter(pl.col("ticker") == symbol, in_period("ex_date"))
        return 200, chart_json(symbol, window, actions)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class IndexedYahooReplay(YahooReplay):
    """YahooReplay for large price tables without corporate actions (benchmarks/scale.py).

    Every ticker's bars are sorted by date and each chart array (timestamps, open, high, low,
    close, volume) is encoded once, as json.dumps writes it, into one string with the offset of
    every element; an answer is then a binary search and a few substrings instead of a filter,
    a Python list per column and a fresh json.dumps. The bytes are the same as YahooReplay's for
    the same sorted bars (`respond` is checked against it in benchmarks/scale.py), so the client
    cannot tell the two apart; the server just costs microseconds instead of milliseconds per
    request. Empty windows and unknown symbols go through YahooReplay itself.
    """

    _ARRAYS = ("timestamp", "open", "high", "low", "close", "volume")

    def __init__(self, prices: pl.DataFrame):
        super().__init__(prices.sort("ticker", "trade_date"))
        self.encoded: dict[str, tuple[bytes, np.ndarray, dict[str, tuple[str, np.ndarray]]]] = {}
        for (symbol,), bars in self.prices.items():
            currency = bars["currency"][0]
            zone_name, open_time = EXCHANGES[currency]
            stamps = bars["trade_date"].dt.combine(open_time).dt.replace_time_zone(zone_name).dt.epoch("s")
            meta = {"currency": currency, "symbol": symbol, "exchangeTimezoneName": zone_name, "dataGranularity": "1d"}
            columns = {"timestamp": stamps.to_list()} | {c: bars[c].to_list() for c in self._ARRAYS[1:]}
            self.encoded[symbol] = (json.dumps(meta), stamps.to_numpy(), {c: _joined(v) for c, v in columns.items()})

    def respond(self, path: str) -> tuple[int, bytes]:
        url = urlparse(path)
        symbol = unquote(url.path.rsplit("/", 1)[-1])
        if symbol not in self.encoded:
            return super().respond(path)
        meta, stamps, arrays = self.encoded[symbol]
        query = parse_qs(url.query)
        lo, hi = np.searchsorted(stamps, [int(query["period1"][0]), int(query["period2"][0])], side="left")
        if lo >= hi:
            return super().respond(path)

        def window(column: str) -> str:
            text, offsets = arrays[column]
            return text[offsets[lo] : offsets[hi] - 2]  # each element is followed by ", "

        quote = ", ".join(f'"{c}": [{window(c)}]' for c in self._ARRAYS[1:])
        body = (
            f'{{"chart": {{"result": [{{"meta": {meta}, "timestamp": [{window("timestamp")}], '
            f'"events": {{"dividends": {{}}, "splits": {{}}}}, "indicators": {{"quote": [{{{quote}}}], '
            f'"adjclose": [{{"adjclose": [{window("close")}]}}]}}}}], "error": null}}}}'
        )
        return 200, body.encode()


def _joined(values: list) -> tuple[str, np.ndarray]:
    """json.dumps(values) without its brackets, and where each element starts in it (plus the end)."""
    items = json.dumps(values)[1:-1].split(", ") if values else []  # numbers and null hold no ", "
    offsets = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum([len(item) + 2 for item in items], out=offsets[1:])
    return ", ".join(items) + ", ", offsets
