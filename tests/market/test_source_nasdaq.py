"""NasdaqSource against a local HTTP server replaying real `api/quote/.../historical` answers."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.http import make_session
from assets.market.sources.base import ACTION_SCHEMA, PRICE_SCHEMA, SourceError
from assets.market.sources.nasdaq import NasdaqSource

AMD_PATH = "/api/quote/AMD/historical"
OCT_1, OCT_7 = date(2025, 10, 1), date(2025, 10, 7)


@pytest.fixture
def amd_text(recorded) -> str:
    """AMD 2025-10-01..07, newest first; 10/07 has close "--", 10/02 has open "--"."""
    return recorded("nasdaq_historical_AMD_2025-10.json")


def test_success_parses_dollars_commas_and_dashes(httpserver, base_url, session, amd_text):
    httpserver.expect_request(
        AMD_PATH,
        query_string={"assetclass": "stocks", "fromdate": "2025-10-01", "todate": "2025-10-07", "limit": "9999"},
        headers={"Accept": "application/json"},
    ).respond_with_data(amd_text, content_type="application/json")

    batch = NasdaqSource(base_url, session).fetch("AMD", OCT_1, OCT_7)

    assert batch.prices.schema == pl.Schema(PRICE_SCHEMA)
    assert batch.actions.is_empty() and batch.actions.schema == pl.Schema(ACTION_SCHEMA)
    assert batch.prices.drop("ticker", "currency", "source").rows() == [
        (date(2025, 10, 1), 160.93, 164.18, 160.49, 164.01, None, 39895200),
        (date(2025, 10, 2), None, 171.06, 166.12, 169.73, None, 55475200),  # open "--" -> null, bar kept
        (date(2025, 10, 3), 170.68, 170.68, 163.14, 164.67, None, 42699100),
        (date(2025, 10, 6), 226.45, 226.71, 203.01, 203.71, None, 248859600),
    ]
    assert set(batch.prices["ticker"]) == {"AMD"}
    assert set(batch.prices["currency"]) == {"USD"}
    assert set(batch.prices["source"]) == {"nasdaq"}
    assert batch.dropped_null_bars == 1  # 10/07: close "--"
    assert batch.covered_until == date(2025, 10, 6)
    httpserver.check_assertions()


def test_rows_outside_range_are_left_out(httpserver, base_url, session, amd_text):
    httpserver.expect_request(AMD_PATH).respond_with_data(amd_text, content_type="application/json")

    batch = NasdaqSource(base_url, session).fetch("AMD", date(2025, 10, 3), date(2025, 10, 6))

    assert batch.prices["trade_date"].to_list() == [date(2025, 10, 3), date(2025, 10, 6)]
    assert batch.dropped_null_bars == 0


def test_etf_asset_class_and_class_share_symbol(httpserver, base_url, session):
    empty = {
        "data": {"symbol": "X", "totalRecords": 0, "tradesTable": {"asOf": None, "headers": {}, "rows": None}},
        "message": None,
        "status": {"rCode": 200, "bCodeMessage": None, "developerMessage": None},
    }
    spy_query = {"assetclass": "etf", "fromdate": "2025-10-04", "todate": "2025-10-05", "limit": "9999"}
    httpserver.expect_request("/api/quote/SPY/historical", query_string=spy_query).respond_with_json(empty)
    httpserver.expect_request("/api/quote/BRK.B/historical").respond_with_json(empty)
    source = NasdaqSource(base_url, session, asset_classes={"SPY": "etf"})

    for ticker in ("SPY", "BRK-B"):
        batch = source.fetch(ticker, date(2025, 10, 4), date(2025, 10, 5))  # a weekend
        assert batch.prices.is_empty() and batch.covered_until is None
    httpserver.check_assertions()


def test_rcode_error_in_a_200(httpserver, base_url, session, recorded):
    httpserver.expect_request("/api/quote/NOPE/historical").respond_with_data(
        recorded("nasdaq_symbol_not_exists.json"), content_type="application/json"
    )

    with pytest.raises(SourceError, match="nasdaq: NOPE: Nasdaq error rCode 400: Symbol not exists"):
        NasdaqSource(base_url, session).fetch("NOPE", OCT_1, OCT_7)


def test_tokyo_symbol_is_not_served(httpserver, base_url, session):
    with pytest.raises(SourceError, match=r"nasdaq: 9984.T: not served by nasdaq"):
        NasdaqSource(base_url, session).fetch("9984.T", OCT_1, OCT_7)
    assert httpserver.log == []


def test_unparseable_value(httpserver, base_url, session, amd_text):
    httpserver.expect_request(AMD_PATH).respond_with_data(
        amd_text.replace('"$164.67"', '"$16x.67"'), content_type="application/json"
    )

    with pytest.raises(SourceError, match=r"unexpected historical JSON: row 2 \('10/03/2025'\): close '\$16x\.67' is not a price"):
        NasdaqSource(base_url, session).fetch("AMD", OCT_1, OCT_7)


def test_429_then_success(httpserver, base_url, session, amd_text):
    httpserver.expect_ordered_request(AMD_PATH).respond_with_data("Too Many Requests", status=429)
    httpserver.expect_request(AMD_PATH).respond_with_data(amd_text, content_type="application/json")

    assert NasdaqSource(base_url, session).fetch("AMD", OCT_1, OCT_7).prices.height == 4
    assert len(httpserver.log) == 2


def test_503_after_retries(httpserver, base_url, session):
    httpserver.expect_request(AMD_PATH).respond_with_data("Service Unavailable", status=503)

    with pytest.raises(SourceError, match="nasdaq: AMD: HTTP 503: 'Service Unavailable'"):
        NasdaqSource(base_url, session).fetch("AMD", OCT_1, OCT_7)


def test_read_timeout(hanging, base_url, short_timeout):
    hanging(AMD_PATH, attempts=1)

    with pytest.raises(SourceError, match="nasdaq: AMD: timed out"):
        NasdaqSource(base_url, make_session(total_retries=0), timeout=short_timeout).fetch("AMD", OCT_1, OCT_7)


def test_html_page_with_200(httpserver, base_url, session):
    httpserver.expect_request(AMD_PATH).respond_with_data(
        "<html><head><title>Access Denied</title></head><body>Access Denied</body></html>",
        content_type="text/html",
    )

    with pytest.raises(SourceError, match=r"got an HTML page instead of JSON \(HTTP 200\)"):
        NasdaqSource(base_url, session).fetch("AMD", OCT_1, OCT_7)


def test_truncated_json(httpserver, base_url, session, amd_text):
    httpserver.expect_request(AMD_PATH).respond_with_data(amd_text[:300], content_type="application/json")

    with pytest.raises(SourceError, match="nasdaq: AMD: malformed JSON"):
        NasdaqSource(base_url, session).fetch("AMD", OCT_1, OCT_7)
