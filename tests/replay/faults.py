"""A fault-injection HTTP server: the live price sources (and the SEC) on 127.0.0.1, misbehaving on cue.

`FaultServer(prices, actions)` answers, from a price table in the snapshot's layout,

- Yahoo's v8 chart API  `GET /v8/finance/chart/{symbol}?period1=&period2=`   (bodies from `chart_json`)
- Nasdaq's historical   `GET /api/quote/{symbol}/historical?fromdate=&todate=`
- Stooq's CSV download  `GET /q/d/l/?s={symbol}.{us|jp}&d1=YYYYMMDD&d2=YYYYMMDD&apikey=`
- SEC EDGAR             `GET /api/xbrl/companyfacts/CIK##########.json`, `GET /submissions/CIK##########.json`
  (the real responses bundled in data/snapshot/sec where there is one, else an empty but valid document)

exactly as the healthy service would, unless a *plan* says otherwise: `plan` maps `"yahoo:AMD"`
(or `"yahoo:*"`, `"*"`) to a `Fault` (served on every request) or a list of faults (served one per
request, in order, then healthy answers again). A fault is one of the constructors below: an HTTP
status with or without `Retry-After`, a read timeout, a connection reset, a body cut short, an HTML
page, a wrong content type, an empty body, or a healthy answer whose *data* was changed (missing
days, duplicated rows, a renamed field, a split).

Bounded: the server binds 127.0.0.1 only, answers at most `max_requests` requests (then 503
"request budget exhausted"), never hangs a request longer than `hang_seconds`, and shuts itself
down after `lifetime` seconds even if the test forgets to. Every request is recorded in `hits`.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time as dtime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse
from zoneinfo import ZoneInfo

import polars as pl

from tests.replay.yahoo import EXCHANGES, NOT_FOUND, chart_json

ROOT = Path(__file__).resolve().parents[2]
SEC_SNAPSHOT = ROOT / "data" / "snapshot" / "sec"
HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
    b"<body><p>Checking your browser before accessing the site.</p></body></html>"
)
STOOQ_HEADER = "Date,Open,High,Low,Close,Volume"


# -- faults ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """What to do instead of (or to) the healthy answer. Build them with the functions below."""

    name: str
    status: int | None = None  # reply with this status and `body` instead of the healthy answer
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str | None = None  # replace the healthy answer's Content-Type
    hang: bool = False  # answer only after the client's read timeout (bounded by hang_seconds)
    reset: bool = False  # close the connection with a TCP RST, no answer
    cut: float | None = None  # send this fraction of the healthy body
    keep_length: bool = True  # with `cut`: announce the full Content-Length, then drop the connection
    data: Callable[[str, pl.DataFrame, pl.DataFrame], tuple[pl.DataFrame, pl.DataFrame]] | None = None
    rename: tuple[str, str] | None = None  # (field or column, new name) in the healthy answer


def ok() -> Fault:
    return Fault("ok")


def status(code: int, retry_after: str | None = None, body: bytes = b"") -> Fault:
    """HTTP `code` (429, 500, 502, 503 ...), with `Retry-After: retry_after` when given."""
    headers = (("Retry-After", retry_after),) if retry_after is not None else ()
    suffix = f" Retry-After {retry_after}" if retry_after is not None else ""
    return Fault(f"http {code}{suffix}", status=code, body=body or f"error {code}".encode(), headers=headers)


def read_timeout() -> Fault:
    """Accept the request, then say nothing until the client has given up."""
    return Fault("read timeout", hang=True)


def connection_reset() -> Fault:
    """Read the request, then close the socket with RST (no status line at all)."""
    return Fault("connection reset", reset=True)


def truncated(fraction: float = 0.5, keep_length: bool = True) -> Fault:
    """The healthy body cut after `fraction` of its bytes.

    keep_length=True: the full Content-Length is announced and the connection drops mid-body (a
    broken transfer); False: the short body is a complete, well-framed response (a broken document).
    """
    how = "connection dropped mid-body" if keep_length else "complete response of a cut document"
    return Fault(f"truncated body ({how})", cut=fraction, keep_length=keep_length)


def html_page() -> Fault:
    """HTTP 200 with an HTML bot-check page instead of JSON or CSV."""
    return Fault("HTML with HTTP 200", status=200, body=HTML_PAGE, content_type="text/html; charset=utf-8")


def wrong_content_type(content_type: str = "text/html; charset=utf-8") -> Fault:
    """The healthy body under a misleading Content-Type."""
    return Fault(f"healthy body as {content_type.split(';')[0]}", content_type=content_type)


def body(payload: bytes, content_type: str = "application/json", name: str = "unexpected body") -> Fault:
    """HTTP 200 with an arbitrary body."""
    return Fault(name, status=200, body=payload, content_type=content_type)


def empty_body() -> Fault:
    return Fault("empty body with HTTP 200", status=200, body=b"")


def missing_days(*days: date) -> Fault:
    """The healthy answer without the bars of `days`."""

    def drop(_ticker, bars, actions):
        return bars.filter(~pl.col("trade_date").is_in(list(days))), actions

    return Fault("missing days " + ", ".join(str(d) for d in days), data=drop)


def duplicated_rows(*days: date, conflicting: bool = False) -> Fault:
    """The bars of `days` sent twice; `conflicting` changes the copy's close by +1 %."""

    def dup(_ticker, bars, actions):
        copies = bars.filter(pl.col("trade_date").is_in(list(days)))
        if conflicting:
            copies = copies.with_columns((pl.col("close") * 1.01).round(2), (pl.col("high") * 1.01).round(2))
        return pl.concat([bars, copies]).sort("trade_date", maintain_order=True), actions

    kind = "conflicting" if conflicting else "identical"
    return Fault(f"{kind} duplicated rows " + ", ".join(str(d) for d in days), data=dup)


def renamed(old: str, new: str) -> Fault:
    """Schema drift: field (JSON) or column (CSV) `old` is called `new`."""
    return Fault(f"field {old!r} renamed {new!r}", rename=(old, new))


def split_view(ex_date: date, ratio: float, *, announced: bool) -> Fault:
    """A `ratio`:1 split on `ex_date`, around a split-adjusted price table.

    announced=False: the answer as the source gave it *before* the split: bars before `ex_date`
    multiplied back by `ratio` (volumes divided), no split event. announced=True: the split-adjusted
    bars plus the split event on `ex_date` (what the source gives after it)."""

    def view(ticker, bars, actions):
        split = pl.DataFrame(
            {"ticker": [ticker], "ex_date": [ex_date], "action": ["split"], "value": [float(ratio)]},
            schema={"ticker": pl.String, "ex_date": pl.Date, "action": pl.String, "value": pl.Float64},
        )
        others = actions.filter(~((pl.col("action") == "split") & (pl.col("ex_date") == ex_date)))
        if announced:
            return bars, pl.concat([others, split.select(others.columns)])
        before = pl.col("trade_date") < ex_date
        unadjusted = bars.with_columns(
            *(pl.when(before).then((pl.col(c) * ratio).round(4)).otherwise(pl.col(c)).alias(c) for c in ("open", "high", "low", "close")),
            pl.when(before).then(pl.col("volume") // int(ratio)).otherwise(pl.col("volume")).alias("volume"),
        )
        return unadjusted, others

    state = "announced" if announced else "not yet announced"
    return Fault(f"{ratio:g}:1 split on {ex_date} ({state})", data=view)


# -- the healthy answers ----------------------------------------------------------------------------


@dataclass
class Request:
    source: str  # yahoo, nasdaq, stooq, sec
    ticker: str  # Yahoo-style symbol for prices, the CIK for the SEC
    start: date | None = None
    end: date | None = None
    endpoint: str = ""  # SEC: companyfacts / submissions


@dataclass
class Hit:
    """One request as the server saw it."""

    source: str
    ticker: str
    fault: str
    path: str
    headers: dict[str, str]
    at: float


def _route(path: str) -> Request | None:
    url = urlparse(path)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    parts = [unquote(p) for p in url.path.split("/") if p]
    if parts[:3] == ["v8", "finance", "chart"] and len(parts) == 4:
        p1, p2 = int(query["period1"]), int(query["period2"])
        first = datetime.fromtimestamp(p1, timezone.utc).date()
        last = datetime.fromtimestamp(p2, timezone.utc).date() - timedelta(days=1)
        return Request("yahoo", parts[3], first, last)
    if parts[:2] == ["api", "quote"] and len(parts) == 4 and parts[3] == "historical":
        return Request("nasdaq", parts[2].replace(".", "-"), date.fromisoformat(query["fromdate"]), date.fromisoformat(query["todate"]))
    if parts == ["q", "d", "l"]:
        base, _, market = query["s"].rpartition(".")
        ticker = base.upper() + (".T" if market == "jp" else "")
        day = lambda s: date(int(s[:4]), int(s[4:6]), int(s[6:]))  # noqa: E731
        return Request("stooq", ticker, day(query["d1"]), day(query["d2"]))
    if parts[:2] == ["api", "xbrl"] and len(parts) == 4 and parts[2] == "companyfacts":
        return Request("sec", parts[3].removeprefix("CIK").removesuffix(".json"), endpoint="companyfacts")
    if parts[:1] == ["submissions"] and len(parts) == 2:
        return Request("sec", parts[1].removeprefix("CIK").removesuffix(".json"), endpoint="submissions")
    return None


def _sec_manifest() -> dict[tuple[str, str], str]:
    """(CIK, endpoint) -> bundled file, from data/snapshot/sec/manifest.csv."""
    manifest = pl.read_csv(SEC_SNAPSHOT / "manifest.csv", infer_schema=False)
    found: dict[tuple[str, str], str] = {}
    for row in manifest.iter_rows(named=True):
        cik = str(row.get("cik") or "").zfill(10)
        endpoint = str(row.get("endpoint") or "")
        name = str(row.get("file") or "")
        if endpoint in ("companyfacts", "submissions") and (SEC_SNAPSHOT / name).is_file():
            found.setdefault((cik, endpoint), name)
    return found


def sec_document(cik: str, endpoint: str) -> dict:
    """The bundled real SEC response for the CIK, or an empty but valid one."""
    name = _sec_manifest().get((cik, endpoint))
    if name:
        return json.loads((SEC_SNAPSHOT / name).read_text(encoding="utf-8"))
    if endpoint == "companyfacts":
        return {"cik": int(cik), "entityName": f"CIK {cik}", "facts": {}}
    columns = ("accessionNumber", "filingDate", "reportDate", "acceptanceDateTime", "act", "form", "fileNumber",
               "filmNumber", "items", "size", "isXBRL", "isInlineXBRL", "primaryDocument", "primaryDocDescription")
    return {"cik": cik, "name": f"CIK {cik}", "filings": {"recent": {c: [] for c in columns}, "files": []}}


def _yahoo_body(symbol: str, bars: pl.DataFrame, actions: pl.DataFrame) -> dict:
    """chart_json for bars already cut to the window; an unknown symbol is Yahoo's 404 document."""
    return chart_json(symbol, bars, actions)


def _nasdaq_body(symbol: str, bars: pl.DataFrame) -> dict:
    def money(v: float | None) -> str:  # "$1,234.5": Nasdaq's form, every digit of the table kept
        return "--" if v is None else f"${v:,}"

    rows = [
        {
            "date": r["trade_date"].strftime("%m/%d/%Y"),
            "close": money(r["close"]),
            "volume": "--" if r["volume"] is None else f"{r['volume']:,}",
            "open": money(r["open"]),
            "high": money(r["high"]),
            "low": money(r["low"]),
        }
        for r in bars.sort("trade_date", descending=True, maintain_order=True).iter_rows(named=True)
    ]
    headers = {"date": "Date", "close": "Close/Last", "volume": "Volume", "open": "Open", "high": "High", "low": "Low"}
    return {
        "data": {"symbol": symbol, "totalRecords": len(rows), "tradesTable": {"asOf": None, "headers": headers, "rows": rows}},
        "message": None,
        "status": {"rCode": 200, "bCodeMessage": None, "developerMessage": None},
    }


def _stooq_body(bars: pl.DataFrame) -> str:
    lines = [STOOQ_HEADER]
    for r in bars.iter_rows(named=True):
        lines.append(f"{r['trade_date']},{r['open']},{r['high']},{r['low']},{r['close']},{r['volume']}")
    return "\n".join(lines) + "\n"


def _rename_json(doc: Any, old: str, new: str) -> Any:
    if isinstance(doc, dict):
        return {(new if k == old else k): _rename_json(v, old, new) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_rename_json(v, old, new) for v in doc]
    return doc


# -- the server -------------------------------------------------------------------------------------


class FaultServer:
    """`with FaultServer(prices, actions, plan={...}) as base_url:` on 127.0.0.1, bounded in requests and time."""

    def __init__(
        self,
        prices: pl.DataFrame,
        actions: pl.DataFrame | None = None,
        plan: dict[str, Fault | Iterable[Fault]] | None = None,
        *,
        max_requests: int = 400,
        lifetime: float = 120.0,
        hang_seconds: float = 2.0,
    ):
        self.prices = {t: frame.sort("trade_date") for (t,), frame in prices.partition_by("ticker", as_dict=True).items()}
        empty_actions = pl.DataFrame(schema={"ticker": pl.String, "ex_date": pl.Date, "action": pl.String, "value": pl.Float64})
        self.actions = actions.select(empty_actions.columns).cast(empty_actions.schema) if actions is not None else empty_actions
        self.max_requests = max_requests
        self.lifetime = lifetime
        self.hang_seconds = hang_seconds
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._plan: dict[str, Fault | deque[Fault]] = {}
        self.set_plan(plan or {})
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server's naming)
                server._serve(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self._timer: threading.Timer | None = None
        self._thread: threading.Thread | None = None

    # plan --------------------------------------------------------------------------------------

    def set_plan(self, plan: dict[str, Fault | Iterable[Fault]]) -> None:
        """Replace the plan: key `source:ticker`, `source:*` or `*`; a Fault (always) or faults in order."""
        with self._lock:
            self._plan = {k: v if isinstance(v, Fault) else deque(v) for k, v in plan.items()}

    def _next_fault(self, request: Request) -> Fault:
        with self._lock:
            for key in (f"{request.source}:{request.ticker}", f"{request.source}:*", "*"):
                entry = self._plan.get(key)
                if isinstance(entry, Fault):
                    return entry
                if entry:
                    return entry.popleft()
            return ok()

    def count(self, source: str | None = None, ticker: str | None = None, fault: str | None = None) -> int:
        return sum(
            1
            for h in self.hits
            if (source is None or h.source == source) and (ticker is None or h.ticker == ticker) and (fault is None or h.fault == fault)
        )

    # answers -----------------------------------------------------------------------------------

    def window(self, ticker: str, start: date, end: date, source: str) -> tuple[pl.DataFrame, pl.DataFrame] | None:
        """The bars and actions a healthy source would send for [start, end] (exchange-local dates)."""
        bars = self.prices.get(ticker)
        if bars is None:
            return None
        if source == "yahoo":
            # Yahoo's window is [period1, period2) in UTC: a Tokyo session opens the UTC evening before.
            zone_name, open_time = EXCHANGES[bars["currency"][0]]
            lo = int(datetime.combine(start, dtime(), timezone.utc).timestamp())
            hi = int(datetime.combine(end + timedelta(days=1), dtime(), timezone.utc).timestamp())
            zone = ZoneInfo(zone_name)
            stamp = lambda d: int(datetime.combine(d, open_time, zone).timestamp())  # noqa: E731
            keep = [lo <= stamp(d) < hi for d in bars["trade_date"]]
            window = bars.filter(pl.Series(keep, dtype=pl.Boolean))
            acts = self.actions.filter(pl.col("ticker") == ticker)
            acts = acts.filter(pl.Series([lo <= stamp(d) < hi for d in acts["ex_date"]], dtype=pl.Boolean))
            return window, acts
        window = bars.filter(pl.col("trade_date").is_between(start, end))
        acts = self.actions.filter(pl.col("ticker") == ticker, pl.col("ex_date").is_between(start, end))
        return window, acts

    def healthy(self, request: Request, fault: Fault) -> tuple[int, bytes, str]:
        """(status, body, content type) of the healthy answer, with the fault's data changes applied."""
        if request.source == "sec":
            doc = sec_document(request.ticker, request.endpoint)
            if fault.rename:
                doc = _rename_json(doc, *fault.rename)
            return 200, json.dumps(doc).encode(), "application/json"
        cut = self.window(request.ticker, request.start, request.end, request.source)
        if cut is None:
            if request.source == "yahoo":
                return 404, json.dumps(NOT_FOUND).encode(), "application/json;charset=utf-8"
            if request.source == "stooq":
                return 200, b"No data", "text/plain"
            doc = {"data": None, "message": None, "status": {"rCode": 400, "bCodeMessage": [{"code": 1001, "errorMessage": "Symbol not exists"}]}}
            return 200, json.dumps(doc).encode(), "application/json"
        bars, acts = cut
        if fault.data is not None:
            bars, acts = fault.data(request.ticker, bars, acts)
        if request.source == "yahoo":
            doc = _yahoo_body(request.ticker, bars, acts)
            if fault.rename:
                doc = _rename_json(doc, *fault.rename)
            return 200, json.dumps(doc).encode(), "application/json;charset=utf-8"
        if request.source == "nasdaq":
            doc = _nasdaq_body(request.ticker.replace("-", "."), bars)
            if fault.rename:
                doc = _rename_json(doc, *fault.rename)
            return 200, json.dumps(doc).encode(), "application/json; charset=utf-8"
        text = _stooq_body(bars)
        if fault.rename:
            header, _, rest = text.partition("\n")
            text = ",".join(fault.rename[1] if c == fault.rename[0] else c for c in header.split(",")) + "\n" + rest
        return 200, text.encode(), "text/csv"

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        request = _route(handler.path)
        with self._lock:
            over_budget = len(self.hits) >= self.max_requests
        if request is None or over_budget:
            name = "request budget exhausted" if over_budget else "unknown path"
            self.hits.append(Hit("-", "-", name, handler.path, dict(handler.headers), time.monotonic()))
            self._send(handler, 503 if over_budget else 404, name.encode(), "text/plain")
            return
        fault = self._next_fault(request)
        self.hits.append(Hit(request.source, request.ticker, fault.name, handler.path, dict(handler.headers), time.monotonic()))
        if fault.reset:
            handler.close_connection = True
            sock = handler.connection
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            return
        if fault.hang:
            self._released.wait(self.hang_seconds)  # the client's read timeout is shorter
            handler.close_connection = True
            return
        if fault.status is not None:
            self._send(handler, fault.status, fault.body, fault.content_type or "text/plain", fault.headers)
            return
        code, payload, content_type = self.healthy(request, fault)
        if fault.cut is not None:
            short = payload[: int(len(payload) * fault.cut)]
            if fault.keep_length:
                handler.send_response(code)
                handler.send_header("Content-Type", content_type)
                handler.send_header("Content-Length", str(len(payload)))
                handler.end_headers()
                handler.wfile.write(short)
                handler.wfile.flush()
                handler.close_connection = True
                handler.connection.shutdown(socket.SHUT_RDWR)
                return
            payload = short
        self._send(handler, code, payload, fault.content_type or content_type, fault.headers)

    @staticmethod
    def _send(handler, code: int, payload: bytes, content_type: str, headers=()) -> None:
        handler.send_response(code)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    # lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> str:
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        self._timer = threading.Timer(self.lifetime, self.stop)  # stops by itself
        self._timer.daemon = True
        self._timer.start()
        return self.base_url

    def stop(self) -> None:
        self._released.set()  # hanging handlers answer nothing and return
        if self._thread is not None and self._thread.is_alive():
            self.httpd.shutdown()
        self.httpd.server_close()

    def __exit__(self, *exc) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.stop()


def with_name(fault: Fault, name: str) -> Fault:
    """The same fault under another label (for the plan's records)."""
    return replace(fault, name=name)
