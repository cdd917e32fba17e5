"""Start-up validation of PERPETUUM_* variables: every error names its variable."""

from __future__ import annotations

from datetime import date

import pytest

from assets.settings import DEFAULT_TICKERS, Settings, SettingsError, validate_ticker

TODAY = date(2026, 11, 23)


def settings(**env: str) -> Settings:
    return Settings.from_env({f"PERPETUUM_{k.upper()}": v for k, v in env.items()}, today=TODAY)


def test_defaults():
    s = settings()
    assert s.price_sources == ("snapshot",)
    assert ",".join(s.tickers) == DEFAULT_TICKERS
    assert (s.start_date, s.end_date) == (date(2020, 1, 1), TODAY)
    assert s.warehouse.parts[-2:] == ("warehouse", "perpetuum.duckdb")
    assert not s.uses_live_prices


def test_fallback_chain_is_parsed_in_order():
    s = settings(price_source="yahoo, nasdaq")
    assert s.price_sources == ("yahoo", "nasdaq") and s.uses_live_prices


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"price_source": "bloomberg"}, "PERPETUUM_PRICE_SOURCE"),
        ({"price_source": "yahoo,yahoo"}, "PERPETUUM_PRICE_SOURCE"),
        ({"tickers": "NVDA,AMD;DROP TABLE"}, "PERPETUUM_TICKERS"),
        ({"tickers": "NVDA,../etc"}, "PERPETUUM_TICKERS"),
        ({"tickers": "NVDA,NVDA"}, "PERPETUUM_TICKERS"),
        ({"start_date": "2025-13-01"}, "PERPETUUM_START_DATE"),
        ({"start_date": "2025-06-01", "end_date": "2025-05-01"}, "PERPETUUM_END_DATE"),
        ({"end_date": "2027-01-01"}, "PERPETUUM_END_DATE"),
        ({"yahoo_base_url": "ftp://mirror"}, "PERPETUUM_YAHOO_BASE_URL"),
    ],
)
def test_invalid_values_name_the_variable(env, variable):
    with pytest.raises(SettingsError, match=variable):
        settings(**env)


@pytest.mark.parametrize("symbol", ["NVDA", "9984.T", "BRK-B", "CRWV"])
def test_valid_tickers(symbol):
    assert validate_ticker(symbol) == symbol


@pytest.mark.parametrize("symbol", ["nvda", "NV DA", "A'; --", "X/Y", "", "TOOLONGSYMBOL1"])
def test_invalid_tickers(symbol):
    with pytest.raises(ValueError):
        validate_ticker(symbol)
