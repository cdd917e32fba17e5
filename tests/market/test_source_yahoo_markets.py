"""Yahoo charts of exchanges beyond New York and Tokyo parse to exchange-local dates and their values.

The loopback server answers in the v8 chart layout of the recorded answers in tests/fixtures/http
(meta with currency, exchangeTimezoneName, gmtoffset; a bar's timestamp is its session's opening
time; splits and dividends as `events`), and honours `period1`/`period2` as Yahoo does: only bars
whose timestamp lies in [period1, period2) are sent. The prices are SYNTHETIC (round numbers made
for the test, not market data); the layout, zones, session opening times and currencies are the
exchanges' (London quotes in pence, GBp). East of Tokyo (Sydney, Auckland) a session opens on the
previous UTC day, which is what the day of padding before `start` is for.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
from werkzeug import Request, Response

from assets.market.chain import UniverseBatch
from assets.market.ingest import validated
from assets.market.sources.yahoo import YahooSource

# symbol -> (exchangeName, IANA zone, session opening time, currency)
MARKETS = {
    "VOD.L": ("LSE", "Europe/London", time(8, 0), "GBp"),
    "SAP.DE": ("GER", "Europe/Berlin", time(9, 0), "EUR"),
    "0700.HK": ("HKG", "Asia/Hong_Kong", time(9, 30), "HKD"),
    "RY.TO": ("TOR", "America/Toronto", time(9, 30), "CAD"),
    "BHP.AX": ("ASX", "Australia/Sydney", time(10, 0), "AUD"),
    "FPH.NZ": ("NZE", "Pacific/Auckland", time(10, 0), "NZD"),
}
# Four sessions around the end of European summer time (2025-10-26) and the start of Australia's
# and New Zealand's (2025-10-05 and 2025-09-28 were before; all zones are in their October offset).
DAYS = [date(2025, 10, 23), date(2025, 10, 24), date(2025, 10, 27), date(2025, 10, 28)]
SPLIT_DAY, DIVIDEND_DAY = date(2025, 10, 27), date(2025, 10, 24)


def _stamp(symbol: str, day: date) -> int:
    _, zone, opens, _ = MARKETS[symbol]
    return int(datetime.combine(day, opens, ZoneInfo(zone)).timestamp())


def _bars(symbol: str) -> list[tuple]:
    base = 100.0 + 10 * list(MARKETS).index(symbol)  # SYNTHETIC prices, distinct per market
    return [(d, base + i, base + i + 2, base + i - 1, base + i + 1, 1_000_000 + i) for i, d in enumerate(DAYS)]


def _chart(symbol: str, period1: int, period2: int) -> dict:
    exchange, zone, _, currency = MARKETS[symbol]
    now = datetime.combine(DAYS[-1], time(12), ZoneInfo(zone))
    bars = [b for b in _bars(symbol) if period1 <= _stamp(symbol, b[0]) < period2]
    events = {
        "dividends": {str(_stamp(symbol, DIVIDEND_DAY)): {"amount": 0.5, "date": _stamp(symbol, DIVIDEND_DAY)}},
        "splits": {str(_stamp(symbol, SPLIT_DAY)): {"date": _stamp(symbol, SPLIT_DAY), "numerator": 2.0, "denominator": 1.0, "splitRatio": "2:1"}},
    }
    events = {kind: {k: e for k, e in group.items() if period1 <= e["date"] < period2} for kind, group in events.items()}
    result = {
        "meta": {"currency": currency, "symbol": symbol, "exchangeName": exchange, "instrumentType": "EQUITY",
                 "gmtoffset": int(now.utcoffset().total_seconds()), "timezone": now.tzname(), "exchangeTimezoneName": zone,
                 "dataGranularity": "1d", "range": ""},
        "timestamp": [_stamp(symbol, b[0]) for b in bars],
        "events": events,
        "indicators": {
            "quote": [{"open": [b[1] for b in bars], "high": [b[2] for b in bars], "low": [b[3] for b in bars],
                       "close": [b[4] for b in bars], "volume": [b[5] for b in bars]}],
            "adjclose": [{"adjclose": [b[4] for b in bars]}],
        },
    }
    if not bars:
        del result["timestamp"], result["indicators"]
    return {"chart": {"result": [result], "error": None}}


@pytest.fixture
def yahoo(httpserver, base_url, session) -> YahooSource:
    def handler(request: Request) -> Response:
        symbol = request.path.rsplit("/", 1)[-1]
        doc = _chart(symbol, int(request.args["period1"]), int(request.args["period2"]))
        return Response(json.dumps(doc), content_type="application/json")

    httpserver.expect_request(re.compile(r"/v8/finance/chart/.*")).respond_with_handler(handler)
    return YahooSource(base_url, session)


@pytest.mark.parametrize("symbol", list(MARKETS))
def test_bars_and_actions_carry_exchange_local_dates(symbol, yahoo):
    batch = yahoo.fetch(symbol, DAYS[0], DAYS[-1])
    expected = [(d, c, v) for d, _, _, _, c, v in _bars(symbol)]
    assert batch.prices.select("trade_date", "close", "volume").rows() == expected
    assert set(batch.prices["currency"]) == {MARKETS[symbol][3]}
    assert batch.actions.select("ex_date", "action", "value").sort("ex_date").rows() == [
        (DIVIDEND_DAY, "dividend", 0.5), (SPLIT_DAY, "split", 2.0)]
    prices, actions = validated(UniverseBatch(batch.prices, batch.actions), datetime.now(timezone.utc))
    assert prices.height == len(DAYS) and actions.height == 2


@pytest.mark.parametrize("symbol", list(MARKETS))
def test_a_one_day_range_gets_that_local_session(symbol, yahoo):
    """One day at a time, each market gets exactly its own session of that local date: east of
    UTC the session opens the UTC day before (Sydney 10:00 = 23:00 UTC), and is still asked for."""
    for day in DAYS:
        batch = yahoo.fetch(symbol, day, day)
        assert batch.prices["trade_date"].to_list() == [day], (symbol, day)
