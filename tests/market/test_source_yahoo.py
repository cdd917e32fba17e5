"""YahooSource against a local HTTP server replaying real v8 chart responses."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timezone

import polars as pl
import pytest

from assets.http import make_session
from assets.market.sources.base import ACTION_SCHEMA, PRICE_SCHEMA, SourceError
from assets.market.sources.yahoo import YahooSource, local_dates

NVDA_PATH = "/v8/finance/chart/NVDA"


@pytest.fixture
def nvda_text(recorded) -> str:
    """A real-shaped chart answer for NVDA 2024-06-05..12: 06-07 null, 10:1 split, 0.01 dividend."""
    return recorded("yahoo_chart_NVDA_2024-06.json")


def serve_nvda(httpserver, nvda_text: str) -> None:
    httpserver.expect_request(NVDA_PATH).respond_with_data(nvda_text, content_type="application/json")


def test_success_with_null_bar_split_and_dividend(httpserver, base_url, session, nvda_text):
    serve_nvda(httpserver, nvda_text)

    batch = YahooSource(base_url, session).fetch("NVDA", date(2024, 6, 6), date(2024, 6, 12))

    assert batch.prices.schema == pl.Schema(PRICE_SCHEMA)
    assert batch.actions.schema == pl.Schema(ACTION_SCHEMA)
    # 06-05 lies before start (period1 asks a day early); 06-07 came back with null OHLCV.
    assert batch.prices["trade_date"].to_list() == [
        date(2024, 6, 6), date(2024, 6, 10), date(2024, 6, 11), date(2024, 6, 12)
    ]
    assert batch.dropped_null_bars == 1
    assert batch.covered_until == date(2024, 6, 12)
    first = batch.prices.row(0, named=True)
    assert first == {
        "ticker": "NVDA",
        "trade_date": date(2024, 6, 6),
        "open": 124.0479965209961,
        "high": 125.58699798583984,
        "low": 118.31999969482422,
        "close": 120.99800109863281,
        "adj_close": 120.92975701324097,
        "volume": 664696000,
        "currency": "USD",
        "source": "yahoo",
    }
    assert batch.prices["close"][-1] == pytest.approx(125.2)
    assert batch.actions.rows() == [
        ("NVDA", date(2024, 6, 10), "split", 10.0, "yahoo"),
        ("NVDA", date(2024, 6, 11), "dividend", 0.01, "yahoo"),
    ]

    (request, _), = httpserver.log
    assert request.args.to_dict() == {
        "period1": "1717545600",  # 2024-06-05 00:00 UTC
        "period2": "1718236800",  # 2024-06-13 00:00 UTC: exclusive end = end + 1 day
        "interval": "1d",
        "events": "div|split",
    }


def test_actions_outside_range_are_left_out(httpserver, base_url, session, nvda_text):
    serve_nvda(httpserver, nvda_text)

    batch = YahooSource(base_url, session).fetch("NVDA", date(2024, 6, 11), date(2024, 6, 12))

    assert batch.prices["trade_date"].to_list() == [date(2024, 6, 11), date(2024, 6, 12)]
    assert batch.actions["action"].to_list() == ["dividend"]
    assert batch.dropped_null_bars == 0


def test_tokyo_symbol_uses_exchange_local_dates_and_jpy(httpserver, base_url, session, monkeypatch, recorded):
    # In Los Angeles the 00:00 UTC opens fall on the previous day: the machine zone must not matter.
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    httpserver.expect_request("/v8/finance/chart/9984.T").respond_with_data(
        recorded("yahoo_chart_9984.T_2025-10.json"), content_type="application/json"
    )

    try:
        batch = YahooSource(base_url, session).fetch("9984.T", date(2025, 10, 3), date(2025, 10, 6))
    finally:
        monkeypatch.undo()
        time.tzset()

    assert batch.prices.select("trade_date", "close", "adj_close", "volume", "currency").rows() == [
        (date(2025, 10, 3), 4995.0, 4988.04, 61044400, "JPY"),
        (date(2025, 10, 6), 5200.0, 5192.75, 64418800, "JPY"),
    ]
    assert batch.covered_until == date(2025, 10, 6)
    assert batch.actions.is_empty()


@pytest.mark.parametrize(
    ("utc", "zone", "local"),
    [
        ("2025-10-06T00:00:00", "Asia/Tokyo", date(2025, 10, 6)),  # 09:00 Tokyo
        ("2025-10-05T23:00:00", "Australia/Sydney", date(2025, 10, 6)),  # 10:00 Sydney, UTC says 10-05
        ("2025-10-06T13:30:00", "America/New_York", date(2025, 10, 6)),  # 09:30 New York
    ],
)
def test_local_dates(utc, zone, local):
    ts = int(datetime.fromisoformat(utc).replace(tzinfo=timezone.utc).timestamp())
    assert local_dates([ts], zone) == [local]


def test_no_bars_in_range_is_an_empty_batch(httpserver, base_url, session, nvda_text):
    # What Yahoo answers for a weekend: meta, no timestamp, an empty quote.
    body = json.loads(nvda_text)
    result = body["chart"]["result"][0]
    del result["timestamp"], result["events"]
    result["indicators"] = {"quote": [{}], "adjclose": [{}]}
    httpserver.expect_request(NVDA_PATH).respond_with_json(body)

    batch = YahooSource(base_url, session).fetch("NVDA", date(2024, 6, 8), date(2024, 6, 9))

    assert batch.prices.is_empty() and batch.prices.schema == pl.Schema(PRICE_SCHEMA)
    assert batch.covered_until is None


def test_unknown_symbol(httpserver, base_url, session, recorded):
    httpserver.expect_request("/v8/finance/chart/NOPE").respond_with_data(
        recorded("yahoo_chart_not_found.json"), status=404, content_type="application/json"
    )

    expected = r"yahoo: NOPE: unknown symbol \(Yahoo: No data found, symbol may be delisted\)"
    with pytest.raises(SourceError, match=expected):
        YahooSource(base_url, session).fetch("NOPE", date(2025, 10, 1), date(2025, 10, 7))


def test_chart_error_in_a_200(httpserver, base_url, session):
    httpserver.expect_request(NVDA_PATH).respond_with_json(
        {"chart": {"result": None, "error": {"code": "Bad Request", "description": "Invalid input - interval=1x"}}}
    )

    with pytest.raises(SourceError, match="Yahoo error Bad Request: Invalid input - interval=1x"):
        YahooSource(base_url, session).fetch("NVDA", date(2024, 6, 6), date(2024, 6, 12))


def test_429_then_success(httpserver, base_url, session, nvda_text):
    httpserver.expect_ordered_request(NVDA_PATH).respond_with_data(
        "Too Many Requests", status=429, content_type="text/plain"
    )
    serve_nvda(httpserver, nvda_text)

    batch = YahooSource(base_url, session).fetch("NVDA", date(2024, 6, 6), date(2024, 6, 12))

    assert batch.prices.height == 4
    assert [response.status_code for _, response in httpserver.log] == [429, 200]


def test_still_429_after_retries(httpserver, base_url, session):
    httpserver.expect_request(NVDA_PATH).respond_with_data(
        "Too Many Requests", status=429, content_type="text/plain"
    )

    with pytest.raises(SourceError, match=r"rate limited \(HTTP 429 after retries\)"):
        YahooSource(base_url, session).fetch("NVDA", date(2024, 6, 6), date(2024, 6, 12))
    assert len(httpserver.log) == 4  # first try + 3 retries


def test_500_three_times_fails_after_retries(httpserver, base_url, nvda_text):
    for _ in range(3):
        httpserver.expect_ordered_request(NVDA_PATH).respond_with_data("Internal Server Error", status=500)
    serve_nvda(httpserver, nvda_text)  # would succeed on a 4th try, which two retries never reach
    session = make_session(total_retries=2, backoff_factor=0.01)

    with pytest.raises(SourceError, match="yahoo: NVDA: HTTP 500: 'Internal Server Error'"):
        YahooSource(base_url, session).fetch("NVDA", date(2024, 6, 6), date(2024, 6, 12))
    assert len(httpserver.log) == 3


def test_read_timeout(hanging, base_url, short_timeout):
    session = make_session(total_retries=1, backoff_factor=0.01)
    hanging(NVDA_PATH, attempts=2)

    with pytest.raises(SourceError, match=r"yahoo: NVDA: timed out \(connect 1.0 s, read 0.3 s\)"):
        YahooSource(base_url, session, timeout=short_timeout).fetch("NVDA", date(2024, 6, 6), date(2024, 6, 12))


def test_connection_refused(session):
    with pytest.raises(SourceError, match="yahoo: NVDA: connection failed"):
        YahooSource("http://127.0.0.1:9", session).fetch("NVDA", date(2024, 6, 6), date(2024, 6, 12))


def test_html_page_with_200_is_an_error(httpserver, base_url, session):
    httpserver.expect_request(NVDA_PATH).respond_with_data(
        "<!DOCTYPE html><html><head><title>Yahoo</title></head><body>Before you continue</body></html>",
        content_type="text/html",
    )

    with pytest.raises(SourceError, match=r"got an HTML page instead of JSON \(HTTP 200\)"):
        YahooSource(base_url, session).fetch("NVDA", date(2024, 6, 6), date(2024, 6, 12))


def test_truncated_json(httpserver, base_url, session, nvda_text):
    body = nvda_text
    httpserver.expect_request(NVDA_PATH).respond_with_data(body[: len(body) // 2], content_type="application/json")

    with pytest.raises(SourceError, match="yahoo: NVDA: malformed JSON"):
        YahooSource(base_url, session).fetch("NVDA", date(2024, 6, 6), date(2024, 6, 12))


def test_unexpected_structure(httpserver, base_url, session, nvda_text):
    body = json.loads(nvda_text)
    body["chart"]["result"][0]["indicators"]["quote"][0]["close"].pop()
    httpserver.expect_request(NVDA_PATH).respond_with_json(body)

    with pytest.raises(SourceError, match="unexpected chart JSON: .*differ in length"):
        YahooSource(base_url, session).fetch("NVDA", date(2024, 6, 6), date(2024, 6, 12))


def _with_repeated_last_bar(nvda_text: str, close: float) -> dict:
    body = json.loads(nvda_text)
    result = body["chart"]["result"][0]
    result["timestamp"].append(result["timestamp"][-1] + 3600)  # same day, later timestamp
    for values in (*result["indicators"]["quote"][0].values(), result["indicators"]["adjclose"][0]["adjclose"]):
        values.append(values[-1])
    result["indicators"]["quote"][0]["close"][-1] = close
    return body


def test_identical_repeated_day_is_kept_once(httpserver, base_url, session, nvda_text):
    body = _with_repeated_last_bar(nvda_text, close=125.19999694824219)  # the same bar again
    httpserver.expect_request(NVDA_PATH).respond_with_json(body)

    batch = YahooSource(base_url, session).fetch("NVDA", date(2024, 6, 6), date(2024, 6, 12))

    assert batch.prices["trade_date"].to_list()[-2:] == [date(2024, 6, 11), date(2024, 6, 12)]


def test_conflicting_repeated_day_is_an_error(httpserver, base_url, session, nvda_text):
    httpserver.expect_request(NVDA_PATH).respond_with_json(_with_repeated_last_bar(nvda_text, close=125.5))

    with pytest.raises(SourceError, match="conflicting rows for the same day: 2024-06-12"):
        YahooSource(base_url, session).fetch("NVDA", date(2024, 6, 6), date(2024, 6, 12))
