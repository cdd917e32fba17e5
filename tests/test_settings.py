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


def test_sec_is_offline_by_default():
    s = settings()
    assert s.sec_user_agent is None and not s.uses_live_sec
    assert s.sec_base_url == "https://data.sec.gov"


def test_sec_user_agent_switches_live_sec_on():
    s = settings(sec_user_agent="  Jane Doe jane@example.com ", sec_base_url="http://127.0.0.1:8080/")
    assert s.uses_live_sec
    assert s.sec_user_agent == "Jane Doe jane@example.com"
    assert s.sec_base_url == "http://127.0.0.1:8080"


def test_blank_sec_user_agent_means_offline():
    assert not settings(sec_user_agent="   ").uses_live_sec


@pytest.mark.parametrize("value", ["jane@example.com", "Jane Doe", "Jane Doe jane@example", "Jane\nDoe jane@example.com"])
def test_invalid_sec_user_agent_names_the_variable_not_the_value(value):
    with pytest.raises(SettingsError, match="PERPETUUM_SEC_USER_AGENT") as err:
        settings(sec_user_agent=value)
    assert value.strip() not in str(err.value)


@pytest.mark.parametrize("url", ["data.sec.gov", "ftp://data.sec.gov", "https://"])
def test_invalid_sec_base_url_names_the_variable(url):
    with pytest.raises(SettingsError, match="PERPETUUM_SEC_BASE_URL"):
        settings(sec_base_url=url)


def test_log_dir_defaults_to_the_git_ignored_logs_folder():
    s = settings()
    assert s.log_dir.parts[-1] == "logs" and s.log_dir.is_absolute()
    assert s.run_failure_log == s.log_dir / "run_failures.log"


def test_log_dir_from_the_environment(tmp_path):
    assert settings(log_dir=str(tmp_path / "x")).log_dir == tmp_path / "x"
    from assets.settings import PROJECT_ROOT

    assert settings(log_dir="var/log").log_dir == PROJECT_ROOT / "var" / "log"  # relative: from the repo root


def test_log_dir_that_is_a_file_names_the_variable(tmp_path):
    afile = tmp_path / "f"
    afile.write_text("")
    with pytest.raises(SettingsError, match="PERPETUUM_LOG_DIR"):
        settings(log_dir=str(afile))
