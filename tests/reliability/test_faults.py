"""Every fault a live source can throw at the price refresh, served by tests/replay/faults.py on 127.0.0.1.

Set-up: a warehouse loaded from the bundled snapshot for AMD and NVDA, 2025-10-01..2025-10-10 (the
*baseline*), then a live refresh (`PERPETUUM_PRICE_SOURCE=yahoo`, or a fallback chain) to 2025-10-17,
whose new days the fault server answers from the snapshot's real prices. The *reference* is that
refresh against a healthy server. Each case states its expected outcome and checks it by table
contents:

- **retried then correct**: every table equals the reference (volatile `fetched_at` aside);
- **clear failure, nothing written**: the error names source, ticker and cause, and every table's
  hash equals the baseline's;
- **missing days**: what was served is stored, and the coverage ledger says what is missing.

Speed: `fast_http` keeps the production retry rules (3 HTTP retries on 429/5xx/connection errors,
`Retry-After` honoured, 3 step retries by the asset's RetryPolicy) but shortens the waits: backoff
0.01 s (cap 0.05 s), read timeout 0.5 s, step-retry delay 0. One case runs with the production
session to show the real waits. Faults of the fetch itself (HTTP layer, parsing, fallbacks) run at
the `ingest_range` level: the same fetch, validation and transaction the asset runs, without
Dagster around it; what needs Dagster (step retries, the coverage ledger across runs, downstream
tables, metadata, the SEC assets) runs through the whole refresh.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
from dagster._core.errors import DagsterMaxRetriesExceededError
import polars as pl
import pytest

from assets.http import make_session
from assets.market.chain import AllSourcesFailed
from assets.market.ingest import ingest_range
from assets.market.sources.nasdaq import NasdaqSource
from assets.market.sources.stooq import StooqSource
from assets.market.sources.yahoo import YahooSource
from assets.settings import Settings
from assets.warehouse import WarehouseResource
from pipelines.refresh import refresh
from tests.integration.conftest import table_hashes
from tests.replay import faults as F
from tests.reliability.reliability_testdata import (
    Loss,
    changed,
    content_hashes,
    copy_warehouse,
    keys,
    measure,
    measure_tables,
    FAST_TIMEOUT,
    snapshot_prices,
    table_rows,
    use_fast_sources,
)

TICKERS = ("AMD", "NVDA")
START, BASE_END, END = date(2025, 10, 1), date(2025, 10, 10), date(2025, 10, 17)
NEW_FIRST = date(2025, 10, 11)  # first day the live refresh fetches
STOOQ_KEY = "stooq-test-key-7f3a"
PRICE_TABLES = ("raw.share_prices", "raw.corporate_actions", "raw.share_price_coverage")


def failure_message(exc: Exception) -> str:
    """What the failing step said. After its retries, execute_in_process raises
    DagsterMaxRetriesExceededError, whose error infos hold the step's dg.Failure."""
    if isinstance(exc, dg.Failure):
        return exc.description or str(exc)
    if isinstance(exc, dg.DagsterExecutionStepExecutionError):
        return failure_message(exc.user_exception) if isinstance(exc.user_exception, dg.Failure) else str(exc.user_exception)
    infos = list(getattr(exc, "user_code_process_error_infos", []))
    while infos:
        info = infos.pop(0)
        if info.cls_name == "Failure":
            return info.message.split(": ", 1)[-1].strip()
        infos += [c for c in (info.cause, info.context) if c is not None]
    return str(exc)


def clean(message: str) -> str:
    """The first line of an error, without the loopback port (for the document)."""
    line = next((l.strip() for l in message.splitlines() if l.strip() and "no source could serve" not in l), message.strip())
    line = re.sub(r"^[A-Z0-9.\-]+: (?=(yahoo|nasdaq|stooq): )", "", line)  # AllSourcesFailed's "AMD: " before each source's own
    return "`" + re.sub(r"(127\.0\.0\.1|localhost)(:|', port=)\d+", r"\1:<port>", line).replace("`", "'") + "`"


# -- fixtures -------------------------------------------------------------------------------------


@dataclass
class Warehouse:
    path: Path
    hashes: dict[str, str]  # table_hashes: every byte, fetched_at included
    content: dict[str, str]  # content_hashes: fetched_at left out
    rows: dict  # table_rows (multisets, fetched_at left out)


def snapshot_of(path: Path) -> Warehouse:
    return Warehouse(path, table_hashes(path), content_hashes(path), table_rows(path))


@pytest.fixture(scope="module")
def served() -> pl.DataFrame:
    """The real prices the fault server answers from (AMD, NVDA; no corporate actions in the range)."""
    return snapshot_prices(TICKERS, date(2025, 9, 1), date(2025, 10, 31))


def settings_for(warehouse: Path, url: str | None = None, chain: str = "snapshot", end: date = END, **extra: str) -> Settings:
    env = {
        "PERPETUUM_WAREHOUSE": str(warehouse),
        "PERPETUUM_TICKERS": ",".join(TICKERS),
        "PERPETUUM_START_DATE": START.isoformat(),
        "PERPETUUM_END_DATE": end.isoformat(),
        "PERPETUUM_PRICE_SOURCE": chain,
        "PERPETUUM_REPORT_DIR": str(warehouse.parent / "reports"),
        "PERPETUUM_LOG_DIR": str(warehouse.parent / "logs"),
    }
    if url:
        env |= {"PERPETUUM_YAHOO_BASE_URL": url, "PERPETUUM_NASDAQ_BASE_URL": url, "PERPETUUM_STOOQ_BASE_URL": url,
                "PERPETUUM_SEC_BASE_URL": url}
    env |= {f"PERPETUUM_{k.upper()}": v for k, v in extra.items()}
    return Settings.from_env(env)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, ephemeral_instance) -> Warehouse:
    path = tmp_path_factory.mktemp("baseline") / "perpetuum.duckdb"
    refresh(settings_for(path, end=BASE_END), ephemeral_instance, simulate=False)
    return snapshot_of(path)


@pytest.fixture(scope="module")
def reference(tmp_path_factory, baseline, served, ephemeral_instance) -> Warehouse:
    """The baseline plus a fault-free live refresh to END: what every recovered case must store."""
    path = copy_warehouse(baseline.path, tmp_path_factory.mktemp("reference") / "perpetuum.duckdb")
    with F.FaultServer(served) as url:
        refresh(settings_for(path, url, "yahoo"), ephemeral_instance, simulate=False)
    ref = snapshot_of(path)
    assert len(keys(path)) == len(keys(baseline.path)) + 10  # 5 new sessions x 2 tickers
    return ref


@pytest.fixture
def fast_http(monkeypatch):
    """Production retry rules with short waits (see reliability_testdata.use_fast_sources)."""
    use_fast_sources(monkeypatch)


@dataclass
class Outcome:
    server: F.FaultServer
    path: Path
    error: str | None
    elapsed: float

    def hits(self, ticker: str, source: str = "yahoo") -> int:
        return self.server.count(source, ticker)


@pytest.fixture
def live(tmp_path, baseline, served, ephemeral_instance):
    """live(plan, chain="yahoo", end=END, actions=None, warehouse=None) -> Outcome: one real refresh."""

    def run(plan, chain: str = "yahoo", end: date = END, actions=None, warehouse: Path | None = None, **extra) -> Outcome:
        path = warehouse or copy_warehouse(baseline.path, tmp_path / "perpetuum.duckdb")
        server = F.FaultServer(served, actions, plan, lifetime=60)
        with server as url:
            started = time.monotonic()
            try:
                refresh(settings_for(path, url, chain, end, **extra), ephemeral_instance, simulate=False)
                error = None
            except (dg.Failure, dg.DagsterExecutionStepExecutionError, DagsterMaxRetriesExceededError) as exc:
                error = failure_message(exc)
            elapsed = time.monotonic() - started
        return Outcome(server, path, error, elapsed)

    return run


COVERAGE_BUT_CHAIN = "SELECT trade_date, tickers, rows, tickers_covered, complete FROM raw.share_price_coverage ORDER BY ALL"


def recovered(outcome: Outcome, reference: Warehouse, chain: str | None = None) -> Loss:
    """Assert the run succeeded and stored exactly what the fault-free run stores.

    With another `chain` than the reference's, the coverage ledger names that chain: every other
    column of the ledger, and every other table, must still be equal."""
    assert outcome.error is None, outcome.error
    rows = table_rows(outcome.path)
    expected = dict(reference.rows)
    if chain is None:
        assert changed(reference.content, content_hashes(outcome.path)) == []
    else:
        assert changed(reference.content, content_hashes(outcome.path)) == ["raw.share_price_coverage"]
        with duckdb.connect(str(outcome.path), read_only=True) as conn, duckdb.connect(str(reference.path), read_only=True) as ref:
            assert conn.execute(COVERAGE_BUT_CHAIN).fetchall() == ref.execute(COVERAGE_BUT_CHAIN).fetchall()
            assert {s for (s,) in conn.execute("SELECT DISTINCT sources FROM raw.share_price_coverage WHERE trade_date >= ?", [NEW_FIRST]).fetchall()} == {chain}
        expected.pop("raw.share_price_coverage")
        rows.pop("raw.share_price_coverage")
    loss = measure_tables(expected, rows)
    assert loss == Loss(0, 0)
    return loss


def untouched(outcome: Outcome, baseline: Warehouse, *fragments: str) -> Loss:
    """Assert the run failed with a message containing every fragment and wrote nothing at all."""
    assert outcome.error is not None, "the refresh should have failed"
    for fragment in fragments:
        assert fragment in outcome.error, outcome.error
    assert table_hashes(outcome.path) == baseline.hashes
    loss = measure_tables(baseline.rows, table_rows(outcome.path))
    assert loss == Loss(0, 0)
    return loss


# -- retried, then correct --------------------------------------------------------------------------


def test_truncated_transfer_is_retried_by_the_step(live, reference, fast_http, record):
    # A body cut mid-transfer fails after the HTTP layer (no urllib3 retry); the step retry recovers.
    out = live({"yahoo:AMD": [F.truncated(0.5, keep_length=True)]})
    loss = recovered(out, reference)
    assert out.hits("AMD") == 2 and out.hits("NVDA") == 2  # the whole batch ran twice
    record("truncated JSON (connection dropped)", "Yahoo AMD: full Content-Length announced, half the body sent, connection closed, once",
           "the batch fails before writing; the asset's RetryPolicy runs it again; correct",
           "2 step attempts (2 requests per ticker); every table equals the fault-free run", loss.lost, loss.duplicated)


def test_missing_days_at_the_end_are_refetched_next_run(live, ingest, reference, fast_http, record):
    gone = (date(2025, 10, 16), date(2025, 10, 17))
    first = ingest({"yahoo:AMD": F.missing_days(*gone)})  # the ingest the refresh's price run performs
    assert first.error is None
    expected = set(keys(reference.path)) - {("AMD", d) for d in gone}
    assert measure(expected, keys(first.path)) == Loss(0, 0) and len(keys(first.path)) == len(expected)
    with duckdb.connect(str(first.path), read_only=True) as conn:
        ledger = dict(conn.execute(
            "SELECT trade_date, complete FROM raw.share_price_coverage WHERE trade_date >= ?", [NEW_FIRST]).fetchall())
    assert [d for d, complete in sorted(ledger.items()) if not complete] == list(gone)  # not claimed as done

    second = live({}, warehouse=first.path)  # the next refresh; the source has the days now
    loss = recovered(second, reference)
    assert second.server.count("yahoo") == 2 and all("period1" in h.path for h in second.server.hits)
    record("missing days (tail)", "Yahoo AMD: the last two days (2025-10-16, 2025-10-17) absent from the answer",
           "what was served is stored; the ledger marks the absent days not complete; the next run fetches them",
           "8 of 10 new rows stored, ledger: 2 days incomplete; next run asked only for those days; "
           "then every table equals the fault-free run", loss.lost, loss.duplicated)


CORE_CLOSES = "SELECT ticker, trade_date, close, round(simple_return, 10) FROM core.prices ORDER BY ALL"


def test_split_announced_mid_range_is_not_applied_twice(live, reference, fast_http, tmp_path, record):
    # Synthetic: a 2:1 NVDA split on 2025-10-15 inside the range of a first load, prices already adjusted.
    out = live({"yahoo:NVDA": F.split_view(date(2025, 10, 15), 2, announced=True)}, warehouse=tmp_path / "first-load.duckdb")
    assert out.error is None, out.error
    assert out.hits("NVDA") == 1  # nothing stored before: nothing to fetch again
    with duckdb.connect(str(out.path), read_only=True) as conn, duckdb.connect(str(reference.path), read_only=True) as ref:
        assert conn.execute("SELECT ticker, ex_date, action, value FROM raw.corporate_actions").fetchall() == [
            ("NVDA", date(2025, 10, 15), "split", 2.0)]
        assert conn.execute(CORE_CLOSES).fetchall() == ref.execute(CORE_CLOSES).fetchall()  # not divided again
    loss = measure(set(keys(reference.path)), keys(out.path))
    assert loss == Loss(0, 0)
    record("split mid-range (synthetic 2:1)", "Yahoo NVDA: a split event on 2025-10-15 inside the range of a first load, bars split-adjusted",
           "the split is stored; prices and returns are not divided again",
           "raw.corporate_actions holds the split; core.prices closes and returns equal the fault-free run", loss.lost, loss.duplicated)


def test_split_after_stored_history_refetches_it(live, ingest, reference, fast_http, record):
    # Synthetic: the days up to 2025-10-14 are stored as the source gave them before a 2:1 split
    # (twice today's prices); the next run's answer brings the split and adjusted prices.
    split = date(2025, 10, 15)
    first = ingest({"yahoo:NVDA": F.split_view(split, 2, announced=False)}, end=date(2025, 10, 14))
    assert first.error is None
    second = live({"yahoo:NVDA": F.split_view(split, 2, announced=True)}, warehouse=first.path)
    assert second.error is None, second.error
    nvda_requests = [h.path for h in second.server.hits if h.ticker == "NVDA"]
    assert len(nvda_requests) == 2  # the new days, then NVDA's stored history again
    with duckdb.connect(str(second.path), read_only=True) as conn, duckdb.connect(str(reference.path), read_only=True) as ref:
        assert conn.execute(CORE_CLOSES).fetchall() == ref.execute(CORE_CLOSES).fetchall()  # no -50 % day
    loss = measure(set(keys(reference.path)), keys(second.path))
    assert loss == Loss(0, 0)
    record("split after stored history (synthetic 2:1)",
           "Yahoo NVDA: 2025-10-13/14 stored at pre-split prices; the next run brings a split on 2025-10-15",
           "the ticker's stored history is fetched again in the same transaction, so prices stay comparable",
           "NVDA history refetched (2 requests); core.prices closes and returns equal the fault-free run (no -50 % day)",
           loss.lost, loss.duplicated)


# -- fallback chains ---------------------------------------------------------------------------------


def _served_by(path: Path) -> dict[str, set[str]]:
    with duckdb.connect(str(path), read_only=True) as conn:
        rows = conn.execute("SELECT ticker, list(DISTINCT source) FROM raw.share_prices WHERE trade_date >= ? GROUP BY ALL", [NEW_FIRST]).fetchall()
    return {t: set(s) for t, s in rows}


def _closes(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute("SELECT ticker, trade_date, open, high, low, close, volume FROM raw.share_prices ORDER BY ALL").fetchall()


def _fallbacks(instance: dg.DagsterInstance) -> dict:
    event = instance.get_latest_materialization_event(dg.AssetKey(["raw", "share_prices"]))
    return event.asset_materialization.metadata["fallbacks"].value


def test_fallback_yahoo_to_nasdaq(live, reference, fast_http, ephemeral_instance, record):
    out = live({"yahoo:AMD": F.status(503)}, chain="yahoo,nasdaq")
    assert out.error is None, out.error
    assert _served_by(out.path) == {"AMD": {"nasdaq"}, "NVDA": {"yahoo"}}
    assert _closes(out.path) == _closes(reference.path)  # same bars, from the next source
    assert "yahoo: AMD: HTTP 503" in _fallbacks(ephemeral_instance)["AMD"][0]
    loss = measure(set(keys(reference.path)), keys(out.path))
    assert loss == Loss(0, 0)
    record("fallback chain yahoo,nasdaq", "Yahoo AMD: HTTP 503 on every request",
           "Nasdaq serves AMD; each row names its source; the fallback is in the metadata",
           "AMD rows from nasdaq, NVDA from yahoo; bars equal the fault-free run; metadata lists the Yahoo error",
           loss.lost, loss.duplicated)


# -- clear failures, nothing written ---------------------------------------------------------------

FAILURES = [
    # (case, plan, chain, injected, message fragments, requests to AMD's Yahoo)
    ("429 without end", {"yahoo:AMD": F.status(429)}, "yahoo", "Yahoo AMD: HTTP 429 without Retry-After, every request",
     ["yahoo: AMD: rate limited (HTTP 429 after retries)"], 16),
    ("503 without end", {"yahoo:AMD": F.status(503)}, "yahoo", "Yahoo AMD: HTTP 503, every request", ["yahoo: AMD: HTTP 503"], 16),
    ("connection reset without end", {"yahoo:AMD": F.connection_reset()}, "yahoo", "Yahoo AMD: TCP reset before any answer, every request",
     ["yahoo: AMD: connection failed"], 16),
    ("truncated JSON (cut document)", {"yahoo:AMD": F.truncated(0.6, keep_length=False)}, "yahoo",
     "Yahoo AMD: a well-framed response holding 60 % of the chart JSON, every request", ["yahoo: AMD: malformed JSON (HTTP 200"], 1),
    ("HTML with HTTP 200", {"yahoo:AMD": F.html_page()}, "yahoo", "Yahoo AMD: a bot-check HTML page with HTTP 200",
     ["yahoo: AMD: got an HTML page instead of JSON (HTTP 200)"], 1),
    ("empty body", {"yahoo:AMD": F.empty_body()}, "yahoo", "Yahoo AMD: HTTP 200 with an empty body",
     ["yahoo: AMD: malformed JSON (HTTP 200, 0 bytes)"], 1),
    ("wrong content type (body is not JSON)", {"yahoo:AMD": F.body(b"Date,Open,High,Low,Close\n2025-10-13,1,1,1,1\n", "application/json", "CSV labelled application/json")},
     "yahoo", "Yahoo AMD: a CSV body labelled application/json", ["yahoo: AMD: malformed JSON (HTTP 200"], 1),
    ("duplicated rows (conflicting)", {"yahoo:AMD": F.duplicated_rows(date(2025, 10, 14), conflicting=True)}, "yahoo",
     "Yahoo AMD: 2025-10-14 twice, the copy's close 1 % higher", ["yahoo: AMD: conflicting rows for the same day: 2025-10-14"], 1),
    ("schema drift: Yahoo field renamed", {"yahoo:AMD": F.renamed("close", "closePrice")}, "yahoo",
     "Yahoo AMD: `indicators.quote[0].close` renamed `closePrice`", ["yahoo: AMD: unexpected chart JSON: quote.close is null, not an array"], 1),
    ("schema drift: Yahoo timestamps renamed", {"yahoo:AMD": F.renamed("timestamp", "timestamps")}, "yahoo",
     "Yahoo AMD: `timestamp` renamed `timestamps` (bars without dates)",
     ["yahoo: AMD: unexpected chart JSON: ", "bars but no 'timestamp' array"], 1),
    ("truncated CSV", {"stooq:AMD": F.truncated(0.6, keep_length=False)}, "stooq",
     "Stooq AMD: a well-framed response holding 60 % of the CSV", ["stooq: AMD: truncated CSV: line"], 0),
    ("every source of the chain fails", {"yahoo:AMD": F.status(502), "nasdaq:AMD": F.html_page()}, "yahoo,nasdaq",
     "Yahoo AMD: HTTP 502; Nasdaq AMD: HTML page with HTTP 200 (chain yahoo,nasdaq)",
     ["AMD: yahoo: AMD: HTTP 502", "then nasdaq: AMD: got an HTML page instead of JSON"], 16),
]


@pytest.mark.parametrize("case,plan,chain,injected,fragments,amd_requests", FAILURES, ids=[c[0] for c in FAILURES])
def test_fault_fails_clearly_and_writes_nothing(case, plan, chain, injected, fragments, amd_requests, live, baseline,
                                               fast_http, monkeypatch, record):
    monkeypatch.setenv("PERPETUUM_STOOQ_API_KEY", STOOQ_KEY)
    out = live(plan, chain=chain, stooq_api_key=STOOQ_KEY)
    loss = untouched(out, baseline, *fragments)
    # 4 step attempts x (1 request + 3 HTTP retries) where the failure is transient (429, 5xx, a
    # reset); 1 attempt, 1 request where no retry can help (a body that does not parse)
    assert out.hits("AMD", "yahoo") == amd_requests
    assert out.server.count() <= out.server.max_requests
    requests = out.server.count(chain.split(",")[0], "AMD")
    record(case, injected, "clear failure naming source, ticker and cause; nothing written",
           f"failed after {'4 step attempts' if amd_requests == 16 else '1 step attempt (not retried: a body that does not parse)'} "
           f"({requests} requests for AMD): {clean(out.error)}; every table's hash unchanged",
           loss.lost, loss.duplicated)


def test_sec_html_page_fails_clearly_and_writes_nothing(live, baseline, fast_http, monkeypatch, record):
    # No new price day (end = the baseline's end): only the downstream run, with SEC EDGAR live.
    monkeypatch.setenv("PERPETUUM_SEC_USER_AGENT", "Reliability Tests sec-faults@example.com")
    out = live({"sec:*": F.html_page()}, chain="snapshot", end=BASE_END, sec_user_agent="Reliability Tests sec-faults@example.com")
    loss = untouched(out, baseline, "expected JSON, got an HTML page titled 'Just a moment...' (HTTP 200)")
    assert out.server.count("sec") >= 1 and out.server.count("yahoo") == 0
    record("SEC: HTML with HTTP 200", "SEC EDGAR (live, loopback): every request answered with an HTML page and HTTP 200",
           "clear failure naming the CIK and the page; no SEC table written",
           f"failed: {clean(out.error)}; every table's hash unchanged", loss.lost, loss.duplicated)


# -- at the ingest_range level: the fetch, validation and transaction of the asset, without Dagster ----------


@dataclass
class Ingested:
    server: F.FaultServer
    path: Path
    error: str | None
    elapsed: float
    fallbacks: dict


def fast_session():
    return make_session(backoff_factor=0.01, backoff_max=0.05)


@pytest.fixture
def ingest(tmp_path, baseline, served):
    """ingest(plan, chain=("yahoo",), end=END, session=fast_session) -> Ingested: one ingest_range over
    the days after the baseline, into a copy of it, through sources built like the resource builds them."""

    def run(plan, chain=("yahoo",), end: date = END, session=fast_session) -> Ingested:
        path = copy_warehouse(baseline.path, tmp_path / "ingest.duckdb")
        server = F.FaultServer(served, None, plan, lifetime=60, hang_seconds=1.5)
        with server as url:
            builders = {
                "yahoo": lambda: YahooSource(url, session=session(), timeout=FAST_TIMEOUT),
                "nasdaq": lambda: NasdaqSource(url, session=session(), timeout=FAST_TIMEOUT),
                "stooq": lambda: StooqSource(url, STOOQ_KEY, session=session(), timeout=FAST_TIMEOUT),
            }
            started = time.monotonic()
            try:
                report = ingest_range(WarehouseResource(database=str(path)), [builders[n]() for n in chain], TICKERS, NEW_FIRST, end)
                error, fallbacks = None, report.batch.fallbacks
            except AllSourcesFailed as exc:
                error, fallbacks = str(exc), {}
            elapsed = time.monotonic() - started
        return Ingested(server, path, error, elapsed, fallbacks)

    return run


def raw_equal(result: Ingested, reference: Warehouse, chain: str = "yahoo") -> Loss:
    """The price tables equal the reference's (the ledger's chain name aside); rows lost/duplicated against it."""
    assert result.error is None, result.error
    after = content_hashes(result.path)
    tables = [t for t in PRICE_TABLES if chain == "yahoo" or t != "raw.share_price_coverage"]
    assert [t for t in tables if after[t] != reference.content[t]] == []
    if chain != "yahoo":
        with duckdb.connect(str(result.path), read_only=True) as conn, duckdb.connect(str(reference.path), read_only=True) as ref:
            assert conn.execute(COVERAGE_BUT_CHAIN).fetchall() == ref.execute(COVERAGE_BUT_CHAIN).fetchall()
    rows = table_rows(result.path)
    loss = measure_tables({t: reference.rows[t] for t in tables}, {t: rows[t] for t in tables})
    assert loss == Loss(0, 0)
    return loss


HTTP_RECOVERIES = [
    ("429 without Retry-After", [F.status(429), F.status(429)], "Yahoo AMD: HTTP 429 without Retry-After, twice", 3, ""),
    ("500, 502, 503 in a row", [F.status(500), F.status(502), F.status(503)], "Yahoo AMD: HTTP 500, then 502, then 503", 4, ""),
    ("read timeout", [F.read_timeout()], "Yahoo AMD: no answer within the 0.5 s read timeout, once", 2, ""),
    ("connection reset", [F.connection_reset(), F.connection_reset()], "Yahoo AMD: TCP reset before any answer, twice", 3, ""),
    ("429 with an absurd Retry-After", [F.status(429, "3600")], "Yahoo AMD: HTTP 429 `Retry-After: 3600`, once", 2,
     "; the wait is capped at the session's backoff cap (30 s in production) instead of an hour"),
    ("429 with a malformed Retry-After", [F.status(429, "soon")], "Yahoo AMD: HTTP 429 `Retry-After: soon`, once", 2,
     "; the unparseable header is ignored and the backoff applies"),
]


@pytest.mark.parametrize("case,faults,injected,amd_requests,note", HTTP_RECOVERIES, ids=[c[0] for c in HTTP_RECOVERIES])
def test_http_fault_is_retried_then_correct(case, faults, injected, amd_requests, note, ingest, reference, record):
    result = ingest({"yahoo:AMD": faults})
    loss = raw_equal(result, reference)
    assert result.server.count("yahoo", "AMD") == amd_requests
    assert result.elapsed < 10  # no hour-long sleep
    record(case, injected, "retried by the HTTP session, then correct",
           f"ingest_range: {amd_requests} AMD requests{note}; the price tables equal the fault-free run", loss.lost, loss.duplicated)


def test_429_with_retry_after_production_session(ingest, reference, record):
    result = ingest({"yahoo:AMD": [F.status(429, "1"), F.status(429, "1")]}, session=make_session)
    loss = raw_equal(result, reference)
    assert result.server.count("yahoo", "AMD") == 3 and result.elapsed >= 2.0
    retry = make_session().get_adapter("http://127.0.0.1").max_retries
    assert (retry.total, retry.retry_after_max) == (3, 30.0)
    assert (retry.parse_retry_after("3600"), retry.parse_retry_after("soon")) == (30.0, 0.0)
    record("429 with Retry-After (production session)", "Yahoo AMD: HTTP 429 `Retry-After: 1`, twice",
           "the announced waits are honoured (up to 30 s each), then correct",
           "ingest_range: 3 AMD requests, ≥ 2 s waited; the price tables equal the fault-free run", loss.lost, loss.duplicated)


def test_healthy_json_with_wrong_content_type(ingest, reference, record):
    loss = raw_equal(ingest({"yahoo:*": F.wrong_content_type("text/html; charset=utf-8")}), reference)
    record("wrong content type (body is valid)", "Yahoo: the healthy chart JSON served as text/html, every request",
           "the body decides, not the header: stored as a correct answer", "ingest_range: the price tables equal the fault-free run",
           loss.lost, loss.duplicated)


def test_identical_duplicated_rows_are_stored_once(ingest, reference, record):
    result = ingest({"yahoo:AMD": F.duplicated_rows(date(2025, 10, 14), date(2025, 10, 15))})
    loss = raw_equal(result, reference)
    assert measure(set(keys(reference.path)), keys(result.path)) == Loss(0, 0)
    record("duplicated rows (identical)", "Yahoo AMD: the bars of 2025-10-14 and 2025-10-15 sent twice",
           "each day stored once", "ingest_range: the price tables equal the fault-free run; 0 repeated keys", loss.lost, loss.duplicated)


def test_missing_day_in_the_middle_is_stored_and_counted(live, ingest, reference, fast_http, record):
    from urllib.parse import parse_qs, urlparse

    from assets.market.sources.yahoo import _period_params
    from pipelines.refresh import missing_days

    gone = date(2025, 10, 14)  # a Tuesday: New York held a session
    first = ingest({"yahoo:AMD": F.missing_days(gone)})  # the ingest the refresh's price run performs
    assert first.error is None
    stored = keys(first.path)
    assert measure(set(keys(reference.path)) - {("AMD", gone)}, stored) == Loss(0, 0)  # everything that was served
    assert ("AMD", gone) not in set(stored)
    with duckdb.connect(str(first.path), read_only=True) as conn:
        ledger = {d: rest for d, *rest in conn.execute(
            "SELECT trade_date, rows, tickers_covered, tickers_missing_session, complete FROM raw.share_price_coverage "
            "WHERE trade_date >= ? ORDER BY 1", [NEW_FIRST]).fetchall()}
        per_day = dict(conn.execute("SELECT trade_date, count(*) FROM raw.share_prices WHERE trade_date >= ? GROUP BY ALL", [NEW_FIRST]).fetchall())
    assert {d: row[0] for d, row in ledger.items() if row[0]} == per_day  # the ledger counts what is stored
    assert sum(per_day.values()) == 9  # of 10: 5 sessions x 2 tickers
    assert ledger[gone] == [1, 2, 1, False]  # reached by both sources, yet AMD has no bar for the session
    assert [d for d, row in ledger.items() if not row[3]] == [gone]  # the only day not claimed as done
    settings = settings_for(first.path, "http://127.0.0.1:9", "yahoo")
    assert missing_days(WarehouseResource(database=str(first.path)), settings) == [gone]

    second = live({}, warehouse=first.path)  # the next refresh; the source has the day now
    loss = recovered(second, reference)
    one_day = _period_params(gone, gone)
    asked = [parse_qs(urlparse(h.path).query) for h in second.server.hits]
    assert sorted(h.ticker for h in second.server.hits) == ["AMD", "NVDA"]
    assert all((q["period1"], q["period2"]) == ([one_day["period1"]], [one_day["period2"]]) for q in asked)
    record("missing day (mid-range)", "Yahoo AMD: 2025-10-14 absent, the days around it present",
           "what was served is stored; the ledger marks the day not complete (a session of AMD's exchange without a bar); "
           "the next run fetches it",
           "ingest_range: 9 of 10 new rows stored; ledger 2025-10-14: 1 row, both tickers reached, 1 ticker missing the "
           "session, not complete (every other day complete); the next run asked only for 2025-10-14 (1 request per "
           "ticker); then every table equals the fault-free run", loss.lost, loss.duplicated)


def test_fallback_yahoo_to_stooq(ingest, reference, record):
    result = ingest({"yahoo:NVDA": F.html_page()}, chain=("yahoo", "stooq"))
    loss = raw_equal_bars(result, reference)
    assert _served_by(result.path) == {"AMD": {"yahoo"}, "NVDA": {"stooq"}}
    assert "got an HTML page instead of JSON" in result.fallbacks["NVDA"][0]
    record("fallback chain yahoo,stooq", "Yahoo NVDA: an HTML page with HTTP 200",
           "the HTML page is an error, not 'no data'; Stooq serves NVDA",
           "ingest_range: NVDA rows from stooq, AMD from yahoo; bars equal the fault-free run", loss.lost, loss.duplicated)


def raw_equal_bars(result: Ingested, reference: Warehouse) -> Loss:
    """Same bars as the reference (another source may omit adj_close and name itself)."""
    assert result.error is None, result.error
    assert _closes(result.path) == _closes(reference.path)
    loss = measure(set(keys(reference.path)), keys(result.path))
    assert loss == Loss(0, 0)
    return loss


DRIFT_FALLBACKS = [
    ("schema drift: Nasdaq field renamed", {"nasdaq:*": F.renamed("close", "lastSalePrice")}, ("nasdaq", "yahoo"),
     "Nasdaq: every row's `close` renamed `lastSalePrice` (chain nasdaq,yahoo)",
     "unexpected historical JSON: KeyError: 'row 0 has no close field"),
    ("schema drift: Stooq column renamed", {"stooq:*": F.renamed("Close", "Zamkniecie")}, ("stooq", "yahoo"),
     "Stooq: CSV header `Close` renamed `Zamkniecie` (chain stooq,yahoo)", "unexpected answer instead of CSV"),
]


@pytest.mark.parametrize("case,plan,chain,injected,reason", DRIFT_FALLBACKS, ids=[c[0] for c in DRIFT_FALLBACKS])
def test_schema_drift_is_an_error_so_the_chain_falls_back(case, plan, chain, injected, reason, ingest, reference, record):
    result = ingest(plan, chain=chain)
    loss = raw_equal(result, reference, chain=",".join(chain))
    assert {t: [reason in e for e in errors] for t, errors in result.fallbacks.items()} == {"AMD": [True], "NVDA": [True]}
    record(case, injected, "an error (not 'no data'), so the next source of the chain serves",
           f"ingest_range: `{chain[0]}: {reason}…` for both tickers; Yahoo served; the price tables equal the fault-free run",
           loss.lost, loss.duplicated)


def test_read_timeout_without_end_fails_and_writes_nothing(ingest, baseline, record):
    result = ingest({"yahoo:AMD": F.read_timeout()})
    assert result.error is not None and "yahoo: AMD: timed out (connect 1.0 s, read 0.5 s), retries exhausted" in result.error
    assert result.server.count("yahoo", "AMD") == 4 and result.elapsed < 6
    assert table_hashes(result.path) == baseline.hashes
    loss = measure_tables(baseline.rows, table_rows(result.path))
    assert loss == Loss(0, 0)
    record("read timeout without end", "Yahoo AMD: no answer within the read timeout, every request",
           "clear failure after the retries; nothing written",
           f"ingest_range: failed after 4 requests: {clean(result.error)}; every table's hash unchanged", loss.lost, loss.duplicated)
