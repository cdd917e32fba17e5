"""A loopback server that answers Yahoo's v8 chart API in its real format, from a price table.

Bars carry their session-open timestamp (09:30 New York, 09:00 Tokyo), as Yahoo sends them.
Used by the integration tests and by benchmarks/ingest.py; binds 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse
from zoneinfo import ZoneInfo

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
                status, body = replay.answer(self.path)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

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
