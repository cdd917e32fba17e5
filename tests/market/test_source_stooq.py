"""StooqSource against a local HTTP server replaying real `/q/d/l/` CSV and error answers."""

from __future__ import annotations

import logging
from datetime import date

import polars as pl
import pytest

from assets.http import make_session
from assets.market.sources.base import ACTION_SCHEMA, PRICE_SCHEMA, SourceError
from assets.market.sources.stooq import StooqSource

KEY = "s3cr3t-Key-42"
PATH = "/q/d/l/"
OCT_1, OCT_7 = date(2025, 10, 1), date(2025, 10, 7)


def test_success_us_symbol(httpserver, base_url, session, recorded):
    httpserver.expect_request(
        PATH, query_string={"s": "nvda.us", "i": "d", "d1": "20251001", "d2": "20251007", "apikey": KEY}
    ).respond_with_data(recorded("stooq_nvda.us_2025-10.csv"), content_type="text/csv")

    batch = StooqSource(base_url, KEY, session).fetch("NVDA", OCT_1, OCT_7)

    assert batch.prices.schema == pl.Schema(PRICE_SCHEMA)
    assert batch.actions.is_empty() and batch.actions.schema == pl.Schema(ACTION_SCHEMA)
    assert batch.prices["trade_date"].to_list() == [
        OCT_1, date(2025, 10, 2), date(2025, 10, 3), date(2025, 10, 6), OCT_7
    ]
    assert batch.prices.row(3, named=True) == {
        "ticker": "NVDA",
        "trade_date": date(2025, 10, 6),
        "open": 185.5,
        "high": 187.23,
        "low": 183.33,
        "close": 185.54,
        "adj_close": None,
        "volume": 157678100,
        "currency": "USD",
        "source": "stooq",
    }
    assert batch.dropped_null_bars == 0
    assert batch.covered_until == OCT_7
    httpserver.check_assertions()


def test_tokyo_symbol_is_jp_in_jpy(httpserver, base_url, session, recorded):
    query = {"s": "9984.jp", "i": "d", "d1": "20251003", "d2": "20251006", "apikey": KEY}
    httpserver.expect_request(PATH, query_string=query).respond_with_data(recorded("stooq_9984.jp_2025-10.csv"), content_type="text/csv")

    batch = StooqSource(base_url, KEY, session).fetch("9984.T", date(2025, 10, 3), date(2025, 10, 6))

    # The fixture also holds 10-02, which lies before start.
    assert batch.prices.select("trade_date", "close", "volume", "currency").rows() == [
        (date(2025, 10, 3), 4995.0, 61044400, "JPY"),
        (date(2025, 10, 6), 5200.0, 64418800, "JPY"),
    ]
    httpserver.check_assertions()


def test_csv_without_volume(httpserver, base_url, session):
    httpserver.expect_request(PATH).respond_with_data(
        "Date,Open,High,Low,Close\r\n"
        "2025-10-06,185.5,187.23,183.33,185.54\r\n"
        "2025-10-07,186.23,189.06,184,185.04\r\n"
    )

    batch = StooqSource(base_url, KEY, session).fetch("NVDA", OCT_1, OCT_7)

    assert batch.prices["volume"].to_list() == [None, None]
    assert batch.prices["close"].to_list() == [185.54, 185.04]


def test_header_only_is_an_empty_batch(httpserver, base_url, session):
    httpserver.expect_request(PATH).respond_with_data("Date,Open,High,Low,Close,Volume\r\n")

    batch = StooqSource(base_url, KEY, session).fetch("NVDA", date(2025, 10, 4), date(2025, 10, 5))

    assert batch.prices.is_empty() and batch.covered_until is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("No data", r"no data for this symbol and range \(Stooq answered 'No data'\)"),
        (
            "Exceeded the daily hits limit",
            r"daily hits limit exceeded \(Stooq answered 'Exceeded the daily hits limit'\)",
        ),
        (
            f"Get your apikey:\r\nhttps://stooq.com/q/d/?s=nvda.us&get_apikey\r\n(you sent apikey={KEY})",
            r"API key missing or not accepted \(Stooq answered 'Get your apikey'\)",
        ),
        (
            "<!DOCTYPE html><html><head><title>Stooq</title></head>"
            "<body><form>Verify you are human</form></body></html>",
            r"got an HTML page instead of CSV \(likely a bot-verification page\)",
        ),
        ("Something else entirely", r"unexpected answer instead of CSV: 'Something else entirely'"),
    ],
    ids=["no-data", "hits-limit", "get-apikey", "html", "other"],
)
def test_error_texts_with_200(httpserver, base_url, session, body, reason):
    httpserver.expect_request(PATH).respond_with_data(body, status=200, content_type="text/plain")

    with pytest.raises(SourceError, match=f"^stooq: NVDA: {reason}$") as raised:
        StooqSource(base_url, KEY, session).fetch("NVDA", OCT_1, OCT_7)
    assert KEY not in str(raised.value)


@pytest.mark.parametrize("key", [None, ""])
def test_missing_key_fails_before_any_request(httpserver, base_url, session, key):
    with pytest.raises(SourceError, match=r"stooq: NVDA: no API key configured \(Stooq requires one since 2026\)"):
        StooqSource(base_url, key, session).fetch("NVDA", OCT_1, OCT_7)
    assert httpserver.log == []


def test_unmapped_suffix(base_url, session):
    with pytest.raises(SourceError, match=r"stooq: VOD.L: not served by stooq \(no mapping for suffix .L\)"):
        StooqSource(base_url, KEY, session).fetch("VOD.L", OCT_1, OCT_7)


def test_truncated_csv(httpserver, base_url, session, recorded):
    body = recorded("stooq_nvda.us_2025-10.csv").rstrip()
    httpserver.expect_request(PATH).respond_with_data(body[: body.rindex(",")])  # last line loses Volume

    with pytest.raises(SourceError, match="stooq: NVDA: truncated CSV: line 6 has 5 of 6 fields"):
        StooqSource(base_url, KEY, session).fetch("NVDA", OCT_1, OCT_7)


def test_unparseable_value(httpserver, base_url, session, recorded):
    body = recorded("stooq_nvda.us_2025-10.csv").replace("185.54", "18x.54")
    httpserver.expect_request(PATH).respond_with_data(body)

    with pytest.raises(SourceError, match="stooq: NVDA: line 5: Close '18x.54' is not a decimal number"):
        StooqSource(base_url, KEY, session).fetch("NVDA", OCT_1, OCT_7)


def client_logs(caplog) -> str:
    """Everything logged on the client side (werkzeug is the test server logging what it received)."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))


def test_key_stays_out_of_errors_and_logs_on_5xx(httpserver, base_url, session, caplog):
    # A server error page that echoes the request line, key included.
    body = f"502 Bad Gateway for /q/d/l/?s=nvda.us&apikey={KEY}"
    httpserver.expect_request(PATH).respond_with_data(body, status=502)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(SourceError, match=r"stooq: NVDA: HTTP 502: .*apikey=\*\*\*") as raised:
        StooqSource(base_url, KEY, session).fetch("NVDA", OCT_1, OCT_7)

    assert KEY not in str(raised.value)
    assert raised.value.__context__ is None and raised.value.__cause__ is None
    assert "apikey=***" in client_logs(caplog)  # urllib3 did log the URL, redacted
    assert KEY not in client_logs(caplog)
    assert KEY not in repr(StooqSource(base_url, KEY, session))


def test_key_stays_out_of_errors_and_logs_on_timeout(hanging, base_url, short_timeout, caplog):
    hanging(PATH, attempts=2)
    caplog.set_level(logging.DEBUG)
    session = make_session(total_retries=1, backoff_factor=0.01)

    with pytest.raises(SourceError, match="stooq: NVDA: timed out") as raised:
        StooqSource(base_url, KEY, session, timeout=short_timeout).fetch("NVDA", OCT_1, OCT_7)

    assert raised.value.__context__ is None and raised.value.__cause__ is None
    assert "Read timed out" in client_logs(caplog)  # urllib3's retry warning, with the URL redacted
    assert KEY not in client_logs(caplog)


def test_429_then_success(httpserver, base_url, session, recorded):
    httpserver.expect_ordered_request(PATH).respond_with_data("Too Many Requests", status=429)
    httpserver.expect_request(PATH).respond_with_data(recorded("stooq_nvda.us_2025-10.csv"))

    assert StooqSource(base_url, KEY, session).fetch("NVDA", OCT_1, OCT_7).prices.height == 5
