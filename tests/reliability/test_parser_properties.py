"""Hostile bodies for every parser: generated ones (hypothesis) and one case per class of issue 15.

Each body is served on 127.0.0.1 to the production client and parser (tests/reliability/parser_fuzz.py)
and must end valid — no NaN or ±Infinity in what the ingest would store — or in the source's own
error naming source and ticker (or CIK), so the chain can ask the next source. The generated runs
are derandomized with a fixed budget, so `make test` spends seconds on them; the 3,000-payload run
is `python -m tests.reliability.parser_fuzz` (see docs/RELIABILITY.md)."""

from __future__ import annotations

import json
import re
from datetime import date

import duckdb
import pytest

from assets.http import MAX_BODY_BYTES, MAX_JSON_DEPTH
from assets.market.ingest import ingest_range
from assets.market.schemas import CURRENCIES, PRICE_CEILING, SPLIT_RATIO_RANGE
from assets.market.sources.base import SourceError
from assets.market.sources.stooq import StooqSource
from assets.market.sources.yahoo import YahooSource
from assets.sec import METRICS
from assets.settings import Settings, SettingsError, validate_ticker
from assets.warehouse import WarehouseResource
from tests.reliability.parser_fuzz import SOURCES, BodyServer, Harness, run, seeds
from tests.reliability.reliability_testdata import measure

IN_SUITE_EXAMPLES = 25  # per source; the outside run uses 3,000


@pytest.fixture(scope="module")
def server():
    with BodyServer() as body_server:
        yield body_server


@pytest.fixture(scope="module")
def harness(server) -> Harness:
    return Harness(server)


# -- generated bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES)
def test_generated_bodies_end_valid_or_in_a_clean_error(source, harness, record):
    counts = run(source, IN_SUITE_EXAMPLES, harness)
    assert counts["crashes"] == 0, counts["first crashes"]
    assert counts["non-finite stored"] == 0
    assert counts["payloads"] == IN_SUITE_EXAMPLES
    assert counts["clean errors"] > 0  # the generator does break bodies
    record(
        f"{source}: {IN_SUITE_EXAMPLES} generated malformed bodies (hypothesis, derandomized)",
        "recorded real answers with 1-3 hostile edits: NaN/±Infinity/1e300/huge ints/text/bools/null in any field, "
        "keys dropped or renamed, number tokens rewritten (1e400, NaN), cuts at any byte, deep nesting"
        + (", CR-only line endings, fractional volumes" if source == "stooq" else ""),
        "each ends valid (0 NaN/Infinity stored) or in the source's error naming it and the ticker/CIK",
        f"{counts['valid']} valid, {counts['clean errors']} clean errors, 0 crashes, 0 non-finite stored",
        None, None,
    )


# -- one case per class -------------------------------------------------------------------------------


def _yahoo(edit) -> bytes:
    doc = json.loads(seeds("yahoo")[0].body)
    edit(doc["chart"]["result"][0])
    return json.dumps(doc, allow_nan=True).encode()


def _set_quote(name, index, value):
    return lambda r: r["indicators"]["quote"][0][name].__setitem__(index, value)


def _nasdaq(field, value) -> bytes:
    doc = json.loads(seeds("nasdaq")[0].body)
    doc["data"]["tradesTable"]["rows"][1][field] = value
    return json.dumps(doc).encode()


def _stooq(change) -> bytes:
    return change(seeds("stooq")[0].body.decode())


def _split(numerator):
    return lambda r: r.setdefault("events", {}).setdefault("splits", {}).__setitem__(
        "1717767000", {"date": 1717767000, "numerator": numerator, "denominator": 1, "splitRatio": "x"})


def _dividend(amount):
    return lambda r: r.setdefault("events", {}).setdefault("dividends", {}).__setitem__("1717767000", {"amount": amount, "date": 1717767000})


def _sec_facts(edit) -> bytes:
    """The first companyfacts seed with `edit` applied to the first fact of a concept the parser reads."""
    doc = json.loads(seeds("sec companyfacts")[0].body)
    wanted = [(t, c) for candidates in METRICS.values() for t, c in candidates if c in doc["facts"].get(t, {})]
    taxonomy, concept = wanted[0]
    edit(next(iter(doc["facts"][taxonomy][concept]["units"].values()))[0])
    return json.dumps(doc).encode()


def _sec_submissions(edit) -> bytes:
    doc = json.loads(seeds("sec submissions")[0].body)
    edit(doc["filings"]["recent"])
    return json.dumps(doc).encode()


CASES = [
    # (case, source, body, the reason the error must give)
    ("Yahoo timestamp far outside the calendar", "yahoo", lambda: _yahoo(lambda r: r["timestamp"].__setitem__(0, 10**15)),
     "outside the years 1900-2099"),
    ("Yahoo event date far outside the calendar", "yahoo", lambda: _yahoo(lambda r: _dividend(0.01)(r) or
     r["events"]["dividends"]["1717767000"].__setitem__("date", -(10**15))), "outside the years 1900-2099"),
    (f"JSON nested {MAX_JSON_DEPTH + 1}+ levels (200,000 brackets)", "yahoo", lambda: b"[" * 200_000 + b"]" * 200_000,
     "JSON nested 200000 levels deep"),
    ('Yahoo "high": Infinity', "yahoo", lambda: _yahoo(_set_quote("high", 0, float("inf"))), "non-finite number in JSON"),
    ('Yahoo "open": NaN', "yahoo", lambda: _yahoo(_set_quote("open", 1, float("nan"))), "non-finite number in JSON"),
    ("Yahoo number 1e400 (beyond a double)", "yahoo", lambda: _yahoo(_set_quote("close", 0, 123.0)).replace(b"123.0", b"1e400"),
     "number out of range"),
    ("Yahoo price 1e300 (finite, implausible)", "yahoo", lambda: _yahoo(_set_quote("high", 0, 1e300)),
     f"less_than_or_equal_to({PRICE_CEILING})"),
    ("Yahoo fractional volume", "yahoo", lambda: _yahoo(_set_quote("volume", 0, 1234.5)), "not a whole number"),
    ("Yahoo volume true (a bool)", "yahoo", lambda: _yahoo(_set_quote("volume", 0, True)), "not a number"),
    ("Yahoo split ratio Infinity", "yahoo", lambda: _yahoo(_split(float("inf"))), "non-finite number in JSON"),
    ("Yahoo split ratio 1e300", "yahoo", lambda: _yahoo(_split(1e300)), "a split's ratio must lie within"),
    ("Yahoo split ratio 0:1", "yahoo", lambda: _yahoo(_split(0)), "not two positive numbers"),
    ("Yahoo dividend 1e30", "yahoo", lambda: _yahoo(_dividend(1e30)), f"less_than_or_equal_to({PRICE_CEILING})"),
    ("Yahoo dividend above the share price", "yahoo", lambda: _yahoo(_dividend(500.0)), "must be below the close of the session before"),
    ("Yahoo exchange time zone 'America' (a folder, not a zone)", "yahoo",
     lambda: _yahoo(lambda r: r["meta"].__setitem__("exchangeTimezoneName", "America")), "not a known time zone"),
    ("Yahoo currency not ISO 4217 ('XYZ')", "yahoo", lambda: _yahoo(lambda r: r["meta"].__setitem__("currency", "XYZ")),
     "must be an ISO 4217 currency code"),
    ("Yahoo bars all outside the requested range", "yahoo",
     lambda: _yahoo(lambda r: r.__setitem__("timestamp", [t - 400 * 86400 for t in r["timestamp"]])),
     "are outside the requested range 2024-06-03..2024-06-14"),
    ('Nasdaq "inf" close', "nasdaq", lambda: _nasdaq("close", "inf"), "close 'inf' is not a price"),
    ("Nasdaq two-digit year 10/02/25", "nasdaq", lambda: _nasdaq("date", "10/02/25"), "date '10/02/25' is not a MM/DD/YYYY date"),
    ("Nasdaq fractional volume", "nasdaq", lambda: _nasdaq("volume", "1,234.5"), "is not a whole number"),
    ("Nasdaq number instead of text", "nasdaq", lambda: _nasdaq("open", 12.5), "open 12.5 is not a price"),
    ("Stooq inf close", "stooq", lambda: _stooq(lambda t: t.replace("187.24", "inf", 1)).encode(), "Close 'inf' is not a decimal number"),
    ("Stooq CR-only line endings", "stooq", lambda: _stooq(lambda t: t.replace("\r\n", "\r")).encode(), "CR-only line endings"),
    ("Stooq body cut inside its last field", "stooq", lambda: _stooq(lambda t: t.rstrip()[:-3]).encode(), "the last line has no line break"),
    ("Stooq body cut after a comma (empty volume)", "stooq", lambda: _stooq(lambda t: t.rstrip()[: t.rstrip().rindex(",") + 1] + "\r\n").encode(),
     "Volume '' is not a whole number"),
    ("Stooq fractional volume", "stooq", lambda: _stooq(lambda t: t.replace("173844900", "173844900.5")).encode(),
     "Volume '173844900.5' is not a whole number"),
    ("SEC companyfacts fact with an impossible date (2024-02-30)", "sec companyfacts",
     lambda: _sec_facts(lambda f: f.__setitem__("end", "2024-02-30")), "is not a YYYY-MM-DD date"),
    ("SEC companyfacts fact dated year 99999", "sec companyfacts",
     lambda: _sec_facts(lambda f: f.__setitem__("filed", "99999-01-01")), "is not a YYYY-MM-DD date"),
    ("SEC companyfacts val NaN", "sec companyfacts", lambda: _sec_facts(lambda f: f.__setitem__("val", float("nan"))),
     "non-finite number in JSON"),
    ("SEC companyfacts val as text", "sec companyfacts", lambda: _sec_facts(lambda f: f.__setitem__("val", "12")),
     "is not a finite number"),
    ("SEC companyfacts val 10**400 (an int beyond a double)", "sec companyfacts",
     lambda: _sec_facts(lambda f: f.__setitem__("val", 10**400)), "is not a finite number"),
    ("SEC submissions filing date 2025-13-01", "sec submissions",
     lambda: _sec_submissions(lambda r: r["filingDate"].__setitem__(0, "2025-13-01")), "filingDate[0] '2025-13-01' is not a YYYY-MM-DD"),
    ("SEC submissions form as a number", "sec submissions", lambda: _sec_submissions(lambda r: r["form"].__setitem__(0, 8)),
     "filings.recent.form is not an array of text"),
    ("SEC document without its cik", "sec submissions", lambda: json.dumps({"filings": {}}).encode(), "no 'cik' key"),
]


@pytest.mark.parametrize(("case", "source", "body", "reason"), CASES, ids=[c[0] for c in CASES])
def test_each_class_is_a_clean_error(case, source, body, reason, harness, record):
    seed = seeds(source)[0]
    result = harness.outcome(source, seed, body())
    assert result.kind == "clean error", result.detail
    assert reason in result.detail, result.detail
    where = seed.ticker if not source.startswith("sec") else f"CIK {seed.ticker}"
    record(case, f"{source} answers HTTP 200 with it", f"the source's error naming {where}: {reason}", result.detail, None, None)


def test_body_over_the_size_limit_is_refused_before_it_is_read(server, record):
    """The server announces a body one byte over the limit; the client refuses it from the header."""
    source = YahooSource(server.url)
    server.bodies["yahoo"] = (b" " * (MAX_BODY_BYTES + 1), "application/json")
    try:
        with pytest.raises(SourceError, match=f"over the {MAX_BODY_BYTES:,}-byte limit"):
            source.fetch("NVDA", date(2024, 6, 3), date(2024, 6, 14))
    finally:
        server.bodies.pop("yahoo")
    record("Body over the size limit", f"Yahoo answers {MAX_BODY_BYTES + 1:,} bytes", "SourceError before the body is kept",
           f"yahoo: NVDA: answer ... over the {MAX_BODY_BYTES:,}-byte limit", None, None)


def test_malformed_body_falls_back_once_and_stores_only_valid_rows(server, tmp_path, record):
    """Yahoo's body holds a NaN: Yahoo is asked once (no retry can fix a body), Stooq serves the
    range, and the warehouse holds exactly Stooq's bars, all finite."""
    server.hits.clear()
    server.serve("yahoo", _yahoo(_set_quote("high", 0, float("nan"))))
    server.serve("stooq", seeds("stooq")[0].body)
    warehouse = WarehouseResource(database=str(tmp_path / "fuzz.duckdb"))
    chain = [YahooSource(server.url), StooqSource(server.url, "fuzz-key")]
    report = ingest_range(warehouse, chain, ["NVDA"], date(2025, 10, 1), date(2025, 10, 7))
    assert server.hits["yahoo"] == 1 and server.hits["stooq"] == 1
    assert report.batch.served_by == {"NVDA": "stooq"}
    assert "non-finite number in JSON" in report.batch.fallbacks["NVDA"][0]
    with duckdb.connect(str(tmp_path / "fuzz.duckdb"), read_only=True) as conn:
        stored = conn.execute("SELECT ticker, trade_date FROM raw.share_prices").fetchall()
        non_finite = conn.execute(
            "SELECT count(*) FROM raw.share_prices WHERE NOT (isfinite(open) AND isfinite(high) AND isfinite(low) AND isfinite(close))"
        ).fetchone()[0]
    expected = [("NVDA", date(2025, 10, d)) for d in (1, 2, 3, 6, 7)]
    loss = measure(expected, stored)
    assert non_finite == 0 and sorted(stored) == expected
    record("A NaN in Yahoo's body, chain yahoo,stooq (ingest_range into DuckDB)", '"high": NaN in the chart JSON',
           "Yahoo asked once (no retry for a body), Stooq serves, only finite rows stored",
           f"yahoo 1 request, stooq 1 request; {len(stored)} Stooq bars stored, 0 non-finite", loss.lost, loss.duplicated)


# -- symbols and currencies ---------------------------------------------------------------------------

ACCEPTED = ["NVDA", "BRK-B", "9984.T", "VOD.L", "NOVO-B.CO", "EQNR.OL", "BBCA.JK", "EURUSD=X", "JPY=X", "BTC-USD", "^GSPC", "^N225", "GC=F"]
REFUSED = ["NVDA'; DROP TABLE raw.share_prices; --", "A/B", "A B", "%2e%2e", "A?x=1", "A#", "nvda\n", "A&apikey=x", "A.B.C", "^", "=X", "A..L", "A\"", ""]


def test_symbols_as_users_write_them(record):
    for symbol in ACCEPTED:
        assert validate_ticker(symbol) == symbol
    for symbol in REFUSED:
        with pytest.raises(ValueError):
            validate_ticker(symbol)
    for symbol in ACCEPTED:  # nothing accepted needs escaping in SQL; in a URL path it is percent-encoded
        assert re.fullmatch(r"[A-Z0-9.\-=^]+", symbol)
    record("Ticker forms", f"accepted: {', '.join(ACCEPTED)}; refused: {len(REFUSED)} forms with quotes, spaces, "
           "slashes, %, ?, &, #, newlines", "exchange suffixes, =X pairs, -USD crypto, ^ indices pass; the rest is refused",
           "as expected", None, None)


def test_a_symbol_no_source_of_the_chain_serves_is_refused_at_start_up(record):
    env = {"PERPETUUM_PRICE_SOURCE": "nasdaq,stooq", "PERPETUUM_TICKERS": "NVDA,VOD.L"}
    with pytest.raises(SettingsError, match=r"VOD\.L: not served by nasdaq .*; not served by stooq"):
        Settings.from_env(env, today=date(2026, 1, 5))
    assert Settings.from_env(env | {"PERPETUUM_PRICE_SOURCE": "yahoo,nasdaq"}, today=date(2026, 1, 5)).tickers == ("NVDA", "VOD.L")
    record("A symbol the chain cannot serve", "PERPETUUM_PRICE_SOURCE=nasdaq,stooq with VOD.L",
           "SettingsError at start-up naming the symbol and each source's reason", "as expected", None, None)


def test_currencies_are_iso_4217_or_yahoo_minor_units(record):
    for code in ("USD", "JPY", "GBP", "GBp", "ZAc", "ILA", "CHF", "SEK", "NOK", "DKK", "IDR", "HKD", "CAD", "AUD", "INR", "XCG"):
        assert code in CURRENCIES, code
    for code in ("XYZ", "usd", "GBPP", "", "EURO"):
        assert code not in CURRENCIES, code
    assert SPLIT_RATIO_RANGE == (0.001, 1000.0)
    record("Currency codes", "USD ... XCG (ISO 4217, list of 2026-01-01), GBp/ZAc/ILA; XYZ, usd, GBPP, EURO",
           "every ISO 4217 code and Yahoo's minor units pass; anything else is refused", "as expected", None, None)
