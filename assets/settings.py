"""Run-time settings from PERPETUUM_* environment variables, validated at start-up (no Dagster here).

Every invalid value raises `SettingsError` naming the variable, so a typo fails before any run
starts instead of deep inside one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from assets.sec.client import valid_user_agent

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRICE_SOURCES = ("snapshot", "yahoo", "nasdaq", "stooq")
LIVE_SOURCES = frozenset(PRICE_SOURCES) - {"snapshot"}
DEFAULT_TICKERS = "NVDA,AMD,ORCL,MSFT,AVGO,AMZN,INTC,META,CRWV,9984.T,SPY,QQQ"
# Yahoo-style symbols as users write them: letters/digits with optionally one '-' class or quote
# suffix (BRK-B, NOVO-B.CO, BTC-USD) and one '.' exchange suffix (9984.T, VOD.L, EQNR.OL, BBCA.JK);
# an index (^GSPC, ^N225); a currency pair or future (EURUSD=X, JPY=X, GC=F). Nothing else (quotes,
# spaces, '/', '%', '?', '&', '#') may reach a URL or a SQL parameter; the sources percent-encode
# the symbol in URL paths and SQL gets it as a parameter.
TICKER_PATTERN = re.compile(
    r"^(\^[A-Z0-9]{1,10}|[A-Z0-9]{1,10}=[XF]|[A-Z0-9]{1,10}(-[A-Z0-9]{1,5})?(\.[A-Z]{1,3})?)$"
)


class SettingsError(ValueError):
    """A PERPETUUM_* variable holds an invalid value."""


def validate_ticker(symbol: str) -> str:
    """Return the symbol if it matches TICKER_PATTERN, else raise ValueError."""
    if not TICKER_PATTERN.fullmatch(symbol):
        raise ValueError(f"{symbol!r} is not a valid ticker symbol (expected e.g. NVDA, BRK-B, 9984.T, VOD.L, EURUSD=X, BTC-USD, ^GSPC)")
    return symbol


@dataclass(frozen=True)
class Settings:
    warehouse: Path
    price_sources: tuple[str, ...]
    tickers: tuple[str, ...]
    start_date: date
    end_date: date
    yahoo_base_url: str
    nasdaq_base_url: str
    stooq_base_url: str
    stooq_api_key: str | None
    snapshot_dir: Path
    sec_base_url: str = "https://data.sec.gov"
    # "Name contact@example.com"; None = offline SEC data only. Holds an e-mail: never log it.
    sec_user_agent: str | None = None
    # Folder of the logs users tail (run_failures.log); git-ignored `logs/` by default.
    log_dir: Path = PROJECT_ROOT / "logs"
    # Folder the HTML report (perpetuum.html) is written to; git-ignored `reports/` by default.
    report_dir: Path = PROJECT_ROOT / "reports"
    # Seconds a connection waits for another process holding the warehouse before it fails.
    warehouse_wait: float = 5.0

    @property
    def uses_live_prices(self) -> bool:
        return any(s in LIVE_SOURCES for s in self.price_sources)

    @property
    def run_failure_log(self) -> Path:
        """One line per failed run, appended by the run-failure sensor and `make run`."""
        return self.log_dir / "run_failures.log"

    @property
    def uses_live_sec(self) -> bool:
        """SEC EDGAR is fetched live only when PERPETUUM_SEC_USER_AGENT is set."""
        return self.sec_user_agent is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, today: date | None = None) -> Settings:
        env = os.environ if env is None else env
        today = today or date.today()

        def get(name: str, default: str) -> str:
            return (env.get(name) or default).strip()

        warehouse = Path(get("PERPETUUM_WAREHOUSE", "warehouse/perpetuum.duckdb"))
        if not warehouse.is_absolute():
            warehouse = PROJECT_ROOT / warehouse
        start = _parse_date("PERPETUUM_START_DATE", get("PERPETUUM_START_DATE", "2020-01-01"))
        end = _parse_date("PERPETUUM_END_DATE", get("PERPETUUM_END_DATE", today.isoformat()))
        if end < start:
            raise SettingsError(f"PERPETUUM_END_DATE {end} is before PERPETUUM_START_DATE {start}")
        if end > today:
            raise SettingsError(f"PERPETUUM_END_DATE {end} is in the future (today is {today})")
        price_sources = _parse_sources(get("PERPETUUM_PRICE_SOURCE", "snapshot"))
        tickers = _parse_tickers(get("PERPETUUM_TICKERS", DEFAULT_TICKERS))
        _check_servable(price_sources, tickers)
        return cls(
            warehouse=warehouse,
            price_sources=price_sources,
            tickers=tickers,
            start_date=start,
            end_date=end,
            yahoo_base_url=_parse_url("PERPETUUM_YAHOO_BASE_URL", get("PERPETUUM_YAHOO_BASE_URL", "https://query2.finance.yahoo.com")),
            nasdaq_base_url=_parse_url("PERPETUUM_NASDAQ_BASE_URL", get("PERPETUUM_NASDAQ_BASE_URL", "https://api.nasdaq.com")),
            stooq_base_url=_parse_url("PERPETUUM_STOOQ_BASE_URL", get("PERPETUUM_STOOQ_BASE_URL", "https://stooq.com")),
            stooq_api_key=env.get("PERPETUUM_STOOQ_API_KEY") or None,
            snapshot_dir=PROJECT_ROOT / "data" / "snapshot",
            sec_base_url=_parse_url("PERPETUUM_SEC_BASE_URL", get("PERPETUUM_SEC_BASE_URL", "https://data.sec.gov")),
            sec_user_agent=_parse_user_agent(env.get("PERPETUUM_SEC_USER_AGENT")),
            log_dir=_parse_dir("PERPETUUM_LOG_DIR", get("PERPETUUM_LOG_DIR", "logs")),
            report_dir=_parse_dir("PERPETUUM_REPORT_DIR", get("PERPETUUM_REPORT_DIR", "reports")),
            warehouse_wait=_parse_seconds("PERPETUUM_WAREHOUSE_WAIT", get("PERPETUUM_WAREHOUSE_WAIT", "5")),
        )


def _parse_date(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a date in YYYY-MM-DD form") from None


def _parse_seconds(name: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a number of seconds") from None
    if not 0 <= seconds <= 86400:
        raise SettingsError(f"{name}={value!r} must be between 0 and 86400 seconds")
    return seconds


def _parse_sources(value: str) -> tuple[str, ...]:
    sources = tuple(s.strip().lower() for s in value.split(",") if s.strip())
    unknown = [s for s in sources if s not in PRICE_SOURCES]
    if not sources or unknown:
        raise SettingsError(
            f"PERPETUUM_PRICE_SOURCE={value!r}: unknown source {', '.join(unknown) or '(empty)'}; "
            f"use one of {', '.join(PRICE_SOURCES)} or a comma-separated chain such as yahoo,nasdaq"
        )
    if len(set(sources)) != len(sources):
        raise SettingsError(f"PERPETUUM_PRICE_SOURCE={value!r} names a source twice")
    return sources


def _parse_tickers(value: str) -> tuple[str, ...]:
    tickers = tuple(t.strip().upper() for t in value.split(",") if t.strip())
    bad = [t for t in tickers if not TICKER_PATTERN.fullmatch(t)]
    if not tickers or bad:
        raise SettingsError(
            f"PERPETUUM_TICKERS: invalid symbol(s) {bad or '(empty list)'}; expected e.g. NVDA,BRK-B,9984.T,VOD.L,EURUSD=X,BTC-USD,^GSPC"
        )
    if len(set(tickers)) != len(tickers):
        raise SettingsError("PERPETUUM_TICKERS lists a symbol twice")
    return tickers


def _check_servable(sources: tuple[str, ...], tickers: tuple[str, ...]) -> None:
    """Refuse at start-up a symbol that no source of the chain can serve, where the symbol alone
    says so (Nasdaq: US symbols only; Stooq: US and .T only). Yahoo serves every form, and the
    snapshot's coverage is its data's, so a chain with either is not checked here."""
    if {"yahoo", "snapshot"} & set(sources):
        return
    from assets.market.sources import nasdaq, stooq  # not at import time: settings load first

    rules = {"nasdaq": nasdaq.unservable, "stooq": stooq.unservable}
    refused = {t: [rules[s](t) for s in sources] for t in tickers}
    lines = [f"{t}: " + "; ".join(reasons) for t, reasons in refused.items() if all(reasons)]
    if lines:
        raise SettingsError(
            f"PERPETUUM_TICKERS: no source of PERPETUUM_PRICE_SOURCE={','.join(sources)} serves " + " | ".join(lines)
            + "; add yahoo to the chain or drop the symbol"
        )


def _parse_user_agent(value: str | None) -> str | None:
    """The SEC User-Agent, or None when unset/blank. The error never echoes the value (an e-mail)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not valid_user_agent(value):
        raise SettingsError(
            "PERPETUUM_SEC_USER_AGENT must name you and give a contact e-mail, e.g. "
            "'Research Desk ops@your-domain.org' (the SEC refuses requests without one); unset it to use "
            "the bundled offline SEC data"
        )
    return value


def _parse_dir(name: str, value: str) -> Path:
    """A folder (relative paths are from the repo root); it need not exist yet, but must not be a file."""
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    if path.exists() and not path.is_dir():
        raise SettingsError(f"{name}={value!r} is a file, not a folder")
    return path


def _parse_url(name: str, value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(f"{name}={value!r} is not an http(s) URL")
    return value.rstrip("/")
