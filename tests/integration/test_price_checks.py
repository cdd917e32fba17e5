"""The data-recency check on raw/share_prices, run for real against a temporary warehouse."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from assets.market.checks import prices_are_current
from assets.market import recency
from assets.market.recency import exchange_of, last_completed_session, last_completed_sessions
from pipelines.refresh import refresh
from pipelines.resources import build_resources

NY = ZoneInfo("America/New_York")


def test_last_completed_session_follows_the_exchange_calendar():
    assert last_completed_session("XNYS", datetime(2025, 10, 6, 19, 0, tzinfo=NY)).isoformat() == "2025-10-06"
    assert last_completed_session("XNYS", datetime(2025, 10, 6, 12, 0, tzinfo=NY)).isoformat() == "2025-10-03"
    # Thanksgiving 2025-11-27: the last session is the Wednesday.
    assert last_completed_session("XNYS", datetime(2025, 11, 27, 20, 0, tzinfo=NY)).isoformat() == "2025-11-26"
    assert exchange_of("9984.T") == "XTKS" and exchange_of("BRK-B") == "XNYS"


def test_last_completed_sessions_asks_each_exchange_once(monkeypatch):
    now = datetime(2025, 10, 6, 7, 0, tzinfo=NY)  # Tokyo has closed Monday's session, New York not yet
    tickers = ["AMD", "9984.T", "NVDA", "6758.T", "BRK-B"]
    expected = [last_completed_session(exchange_of(t), now) for t in tickers]
    asked = []

    def counting(calendar_name, moment):
        asked.append(calendar_name)
        return last_completed_session(calendar_name, moment)

    monkeypatch.setattr(recency, "last_completed_session", counting)
    assert last_completed_sessions(tickers, now) == expected
    assert sorted(asked) == ["XNYS", "XTKS"]
    assert [d.isoformat() for d in expected] == ["2025-10-03", "2025-10-06", "2025-10-03", "2025-10-06", "2025-10-03"]


def test_snapshot_data_is_reported_stale_with_a_warning(make_settings, instance):
    settings = make_settings(start_date="2026-05-20", end_date="2026-06-05", tickers="AMD,9984.T")
    refresh(settings, instance, simulate=False)
    resources = build_resources(settings)
    check_result = prices_are_current(resources["warehouse"], resources["price_sources"])
    assert not check_result.passed
    assert check_result.severity == dg.AssetCheckSeverity.WARN
    assert "2 of 2 tickers behind" in check_result.description
