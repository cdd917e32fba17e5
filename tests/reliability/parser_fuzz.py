"""Property-based fuzzing of every parser: malformed bodies generated from the real response formats.

Each source's generator starts from recorded real answers (tests/fixtures/http, data/snapshot/sec)
and changes them as a broken or hostile server would: a value replaced by NaN, ±Infinity, 1e300,
a huge or negative number, text, a bool, null, a nested array, a timestamp far outside the
calendar, a two-digit-year or impossible date; a key dropped or renamed; a number token rewritten
(`1e400`, `NaN`); the body cut at any byte; the document wrapped in thousands of brackets; for
CSV a field replaced, removed or added, CR-only or mixed line endings, a fractional volume.

`outcome(source, body)` serves the body on 127.0.0.1 to the production client and parser, then
runs the validation the ingest runs before it writes (prices: `ingest.validated`, the same pandera
models and dividend check; SEC: `fundamentals.fetch.fetch_facts` / `fetch_filings`, which parse,
de-duplicate and validate). It ends in one of

- "valid": the batch passed validation (what the ingest would store); `non_finite` counts NaN or
  ±Infinity in it (must be 0),
- "clean error": the source's documented error (SourceError, SecError) or ValidationFailed, whose
  message names the source and the ticker or CIK,
- "crash": anything else (must not happen).

In the suite, tests/reliability/test_parser_properties.py runs these strategies with a fixed small
budget. Outside it, `python -m tests.reliability.parser_fuzz --examples 3000` runs the budget the
issue asks for, prints the counts per source, writes them to tests/reliability/fuzz_counts.json and
rewrites the fuzzing section of docs/RELIABILITY.md from them (`--render` does only that).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.http import make_session
from assets.market.chain import UniverseBatch
from assets.market.ingest import validated
from assets.market.sources.base import SourceError
from assets.market.sources.nasdaq import NasdaqSource
from assets.market.sources.stooq import StooqSource
from assets.market.sources.yahoo import YahooSource
from assets.sec import RateLimiter, SecClient, SecError
from assets.validation import ValidationFailed
from tests.reliability.reliability_testdata import rewrite_fuzzing_section

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "http"
SEC_SNAPSHOT = ROOT / "data" / "snapshot" / "sec"
COUNTS = Path(__file__).with_name("fuzz_counts.json")
SOURCES = ("yahoo", "nasdaq", "stooq", "sec companyfacts", "sec submissions")
USER_AGENT = "Perpetuum Fuzzing fuzz@example.com"


# -- the recorded answers each generator starts from --------------------------------------------------


@dataclass(frozen=True)
class Seed:
    """A recorded answer and the request it answers."""

    ticker: str  # or the CIK, for the SEC
    start: date
    end: date
    body: bytes


def _read(path: Path) -> bytes:
    return path.read_bytes()


def seeds(source: str) -> list[Seed]:
    if source == "yahoo":
        return [
            Seed("NVDA", date(2024, 6, 3), date(2024, 6, 14), _read(FIXTURES / "yahoo_chart_NVDA_2024-06.json")),
            Seed("9984.T", date(2025, 10, 1), date(2025, 10, 7), _read(FIXTURES / "yahoo_chart_9984.T_2025-10.json")),
        ]
    if source == "nasdaq":
        return [Seed("AMD", date(2025, 10, 1), date(2025, 10, 7), _read(FIXTURES / "nasdaq_historical_AMD_2025-10.json"))]
    if source == "stooq":
        return [
            Seed("NVDA", date(2025, 10, 1), date(2025, 10, 7), _read(FIXTURES / "stooq_nvda.us_2025-10.csv")),
            Seed("9984.T", date(2025, 10, 1), date(2025, 10, 7), _read(FIXTURES / "stooq_9984.jp_2025-10.csv")),
        ]
    pattern = "companyfacts_*.json" if source == "sec companyfacts" else "submissions_*.json"
    out = []
    for path in sorted(SEC_SNAPSHOT.glob(pattern)):
        body = path.read_bytes()
        if source == "sec submissions":  # keep the generated bodies small: the first 40 filings
            doc = json.loads(body)
            recent = doc["filings"]["recent"]
            doc["filings"]["recent"] = {k: v[:40] if isinstance(v, list) else v for k, v in recent.items()}
            body = json.dumps(doc).encode()
        cik = str(json.loads(body)["cik"]).zfill(10)
        out.append(Seed(cik, date(2000, 1, 1), date(2030, 1, 1), body))
    return out


# -- strategies ----------------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "inf", "-inf", "Infinity", "NaN", "nan", "1e400", "1e300", "-1", "0", "--", "N/A", "", " ",
    "10/02/25", "02/30/2025", "2025-02-30", "0000-00-00", "99999-01-01", "$1e5", "$-5.00", "12.5",
    "1,2,3", "$1,000,000,000,000,000", "9" * 30, "\u0661\u0662", "null", "'; DROP TABLE x; --", "%00",
]
FAR_TIMESTAMPS = [-(10**15), -62135596801, 253402300800, 10**15, 2**63, -(2**63) - 1, 4102444800]


def hostile_values() -> st.SearchStrategy:
    return st.one_of(
        st.sampled_from([float("nan"), float("inf"), float("-inf"), 1e300, -1e300, 1e30, -1.0, 0.0, 5e-324]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from(FAR_TIMESTAMPS),
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=12),
        st.booleans(),
        st.none(),
        st.sampled_from([[], {}, [[[]]], {"a": {}}, [1, 2], ["x"]]),
    )


def _slots(doc: Any, path: tuple = ()) -> list[tuple]:
    """Every (path to a container, key or index) in `doc`."""
    out = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for key, value in items:
        out.append((path, key))
        out.extend(_slots(value, path + (key,)))
    return out


def _at(doc: Any, path: tuple) -> Any:
    for key in path:
        doc = doc[key]
    return doc


_NUMBER = re.compile(rb"(?<![\w.\"])-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
NUMBER_TOKENS = [b"1e400", b"-1e400", b"NaN", b"Infinity", b"-Infinity", b"1e309", b"0", b"-0", b"1e-400", b"9" * 40]


@st.composite
def json_bodies(draw, source: str) -> tuple[Seed, bytes]:
    """A recorded JSON answer of `source` after one to three hostile edits (see the module docstring)."""
    seed = draw(st.sampled_from(seeds(source)))
    doc = json.loads(seed.body)
    for _ in range(draw(st.integers(1, 3))):
        slots = _slots(doc)
        if not slots:
            break
        path, key = draw(st.sampled_from(slots))
        container = _at(doc, path)
        edit = draw(st.sampled_from(["replace", "replace", "replace", "delete", "rename", "duplicate"]))
        if edit == "replace":
            container[key] = draw(hostile_values())
        elif edit == "delete":
            del container[key]
        elif edit == "rename" and isinstance(container, dict):
            container[key + "_x"] = container.pop(key)
        elif edit == "duplicate" and isinstance(container, list):
            container.insert(key, copy.deepcopy(container[key]))
    body = json.dumps(doc, allow_nan=True).encode()
    return seed, draw(_text_edits(body))


@st.composite
def _text_edits(draw, body: bytes) -> bytes:
    """Byte-level edits after the structural ones: a number token rewritten, a cut, deep nesting."""
    numbers = list(_NUMBER.finditer(body))
    if numbers and draw(st.booleans()):
        match = draw(st.sampled_from(numbers))
        body = body[: match.start()] + draw(st.sampled_from(NUMBER_TOKENS)) + body[match.end() :]
    if draw(st.integers(0, 9)) == 0:
        body = body[: draw(st.integers(0, len(body)))]
    if draw(st.integers(0, 19)) == 0:
        depth = draw(st.sampled_from([70, 5000, 200_000]))
        body = b"[" * depth + body + b"]" * depth
    return body


@st.composite
def csv_bodies(draw) -> tuple[Seed, bytes]:
    """A recorded Stooq CSV after one to three hostile edits of its fields, lines or line endings."""
    seed = draw(st.sampled_from(seeds("stooq")))
    lines = [line.split(",") for line in seed.body.decode("utf-8").splitlines()]
    for _ in range(draw(st.integers(1, 3))):
        row = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["field", "field", "field", "drop field", "add field", "drop line", "duplicate line"]))
        fields = lines[row]
        if edit == "field" and fields:
            column = draw(st.integers(0, len(fields) - 1))
            fields[column] = draw(st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=8), st.sampled_from(["1.5", "2e3", "1_000"])))
        elif edit == "drop field" and fields:
            del fields[draw(st.integers(0, len(fields) - 1))]
        elif edit == "add field":
            fields.append(draw(st.sampled_from(["", "0", "x"])))
        elif edit == "drop line" and len(lines) > 1:
            del lines[row]
        elif edit == "duplicate line":
            lines.insert(row, list(fields))
    newline = draw(st.sampled_from(["\r\n", "\r\n", "\n", "\r", "\n\r"]))
    text = newline.join(",".join(fields) for fields in lines) + newline
    body = text.encode("utf-8")
    if draw(st.integers(0, 5)) == 0:
        body = body[: draw(st.integers(0, len(body)))]
    return seed, body


def bodies(source: str) -> st.SearchStrategy:
    return csv_bodies() if source == "stooq" else json_bodies(source)


# -- serving a body to the production client -----------------------------------------------------------


ROUTES = {"yahoo": "/v8/finance/chart/", "nasdaq": "/api/quote/", "stooq": "/q/d/l/", "sec": "/"}


class BodyServer:
    """127.0.0.1: answers a GET with the body set for its source's path (`serve`), HTTP 200.

    `hits` counts the requests per source, so a test can tell a retried body from one asked once."""

    def __init__(self):
        self.bodies: dict[str, tuple[bytes, str]] = {}
        self.hits: Counter = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                source = next(name for name, prefix in ROUTES.items() if self.path.startswith(prefix))
                server.hits[source] += 1
                body, content_type = server.bodies.get(source, (b"", "text/plain"))
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client refused an oversized body
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def serve(self, source: str, body: bytes) -> None:
        """Answer `source`'s requests ("yahoo", "nasdaq", "stooq", or "sec ...") with `body`."""
        key = source.split()[0]
        self.bodies[key] = (body, "text/csv" if key == "stooq" else "application/json")

    def __enter__(self) -> BodyServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Outcome:
    kind: str  # "valid", "clean error", "crash"
    detail: str
    non_finite: int = 0
    rows: int = 0


class Harness:
    """The production clients of every source, pointed at one BodyServer."""

    def __init__(self, server: BodyServer):
        self.server = server
        session = make_session(backoff_factor=0.01, backoff_max=0.05)
        self.prices = {
            "yahoo": YahooSource(server.url, session),
            "nasdaq": NasdaqSource(server.url, session),
            "stooq": StooqSource(server.url, "fuzz-key", session),
        }
        # The SEC's 10 requests/second spacing is not under test here: the limiter never sleeps.
        self.sec = SecClient(server.url, user_agent=USER_AGENT, session=session, rate_limiter=RateLimiter(10.0, sleep=lambda _s: None))

    def outcome(self, source: str, seed: Seed, body: bytes) -> Outcome:
        self.server.serve(source, body)
        try:
            if source in self.prices:
                return self._prices(source, seed)
            return self._sec(source, seed)
        except (SourceError, SecError, ValidationFailed) as exc:
            named = seed.ticker in str(exc) or (source.startswith("sec") and "FUZZ" in str(exc))
            if not named:
                return Outcome("crash", f"{type(exc).__name__} without the ticker/CIK: {str(exc)[:300]}")
            return Outcome("clean error", f"{type(exc).__name__}: {str(exc)[:1000]}")
        except Exception as exc:  # noqa: BLE001 (counting what escapes is the point)
            return Outcome("crash", f"{type(exc).__name__}: {str(exc)[:200]}")

    def _prices(self, source: str, seed: Seed) -> Outcome:
        got = self.prices[source].fetch(seed.ticker, seed.start, seed.end)
        batch = UniverseBatch(prices=got.prices, actions=got.actions)
        prices, actions = validated(batch, datetime.now(timezone.utc))
        numbers = [c for c in ("open", "high", "low", "close", "adj_close") if c in prices.columns]
        bad = sum(prices.select(pl.col(c).is_nan().sum() + pl.col(c).is_infinite().sum()).item() for c in numbers)
        bad += actions.select(pl.col("value").is_nan().sum() + pl.col("value").is_infinite().sum()).item()
        return Outcome("valid", f"{prices.height} bars, {actions.height} actions", bad, prices.height + actions.height)

    def _sec(self, source: str, seed: Seed) -> Outcome:
        from assets.fundamentals.companies import WatchedCompany
        from assets.fundamentals.fetch import fetch_facts, fetch_filings

        company = WatchedCompany("Fuzzed", "FUZZ", seed.ticker)
        fetch = fetch_facts if source == "sec companyfacts" else fetch_filings
        frame = fetch(self.sec, [company], datetime.now(timezone.utc)).frame
        floats = [c for c, t in frame.schema.items() if t in (pl.Float64, pl.Float32)]
        bad = sum(frame.select(pl.col(c).is_nan().sum() + pl.col(c).is_infinite().sum()).item() for c in floats)
        return Outcome("valid", f"{frame.height} rows", bad, frame.height)


# -- the run outside the suite -------------------------------------------------------------------------


def run(source: str, examples: int, harness: Harness, seed: int = 0) -> dict[str, Any]:
    """`examples` generated bodies for `source`; counts of each outcome and the first crashes."""
    counts: Counter = Counter()
    crashes: list[str] = []

    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed == 0,
              suppress_health_check=list(HealthCheck), phases=["generate"])
    @given(case=bodies(source))
    def one(case):
        result = harness.outcome(source, *case)
        counts[result.kind] += 1
        counts["non-finite stored"] += result.non_finite
        if result.kind == "crash" and len(crashes) < 5:
            crashes.append(result.detail)

    one()
    return {"payloads": counts["valid"] + counts["clean error"] + counts["crash"], "crashes": counts["crash"],
            "clean errors": counts["clean error"], "valid": counts["valid"],
            "non-finite stored": counts["non-finite stored"], "first crashes": crashes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=3000, help="generated payloads per source (default 3000)")
    parser.add_argument("--source", choices=SOURCES, action="append", help="only this source (repeatable)")
    parser.add_argument("--no-write", action="store_true", help=f"do not write the counts into {COUNTS.name}")
    parser.add_argument("--render", action="store_true", help=f"only rewrite docs/RELIABILITY.md's fuzzing section from {COUNTS.name}")
    args = parser.parse_args(argv)
    if args.render:
        rewrite_fuzzing_section()
        return 0
    results = {}
    with BodyServer() as server:
        harness = Harness(server)
        for source in args.source or SOURCES:
            began = time.monotonic()
            results[source] = run(source, args.examples, harness) | {"seconds": round(time.monotonic() - began, 1)}
            r = results[source]
            print(f"{source:17} {r['payloads']:5} payloads: {r['crashes']} crashes, {r['clean errors']} clean errors, "
                  f"{r['valid']} valid, {r['non-finite stored']} non-finite stored ({r['seconds']} s)", flush=True)
            for crash in r["first crashes"]:
                print(f"    crash: {crash}")
    if not args.no_write:  # merged into the last run's counts, so sources can run in separate processes
        recorded = json.loads(COUNTS.read_text()) if COUNTS.exists() else {}
        merged = {"command": f"python -m tests.reliability.parser_fuzz --examples {args.examples}",
                  "run_on": date.today().isoformat(),
                  "sources": {s: (recorded.get("sources") or {}).get(s) for s in SOURCES} | results}
        merged["sources"] = {s: r for s, r in merged["sources"].items() if r is not None}
        COUNTS.write_text(json.dumps(merged, indent=1) + "\n")
        rewrite_fuzzing_section()
    return 1 if any(r["crashes"] or r["non-finite stored"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
