"""The companies whose SEC filings are watched: listed parties of companies.csv with a CIK (no Dagster).

Read straight from `data/registry/companies.csv` (not from the warehouse), so the sensor can use
the same list without opening DuckDB, and so that adding a company to the CSV is all it takes.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assets.sec.base import SecError, cik10
from assets.settings import PROJECT_ROOT, TICKER_PATTERN

COMPANIES_FILE = PROJECT_ROOT / "data" / "registry" / "companies.csv"
REQUIRED_COLUMNS = ("company", "ticker", "sec_cik", "listed")


class WatchListError(ValueError):
    """companies.csv cannot give the watch list; the message names file, line and column."""


@dataclass(frozen=True)
class WatchedCompany:
    company: str  # the registry's name, e.g. "AMD"
    ticker: str
    cik: str  # 10 digits


def watched_companies(path: str | Path = COMPANIES_FILE, tickers: Sequence[str] | None = None) -> list[WatchedCompany]:
    """Every row with listed=true and a sec_cik, in file order; optionally only `tickers`.

    Raises WatchListError listing every problem (bad CIK, bad ticker, a CIK twice, an unknown
    ticker in `tickers`) as `companies.csv:<line>: <column>: <value> — <rule>`.
    """
    path = Path(path)
    problems: list[str] = []
    watched: list[WatchedCompany] = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise WatchListError(f"{path.name}: missing column(s) {', '.join(missing)}")
        for row in reader:
            where = f"{path.name}:{reader.line_num}"
            raw_cik = (row["sec_cik"] or "").strip()
            if (row["listed"] or "").strip().lower() != "true" or not raw_cik:
                continue
            ticker = (row["ticker"] or "").strip()
            try:
                cik = cik10(raw_cik, "companies.csv")
            except SecError:
                problems.append(f"{where}: sec_cik: {raw_cik!r} — must be 1 to 10 digits")
                continue
            if not TICKER_PATTERN.fullmatch(ticker):
                problems.append(f"{where}: ticker: {ticker!r} — a listed company with a CIK needs a ticker such as NVDA")
                continue
            if any(w.cik == cik for w in watched):
                problems.append(f"{where}: sec_cik: {raw_cik} — the same CIK is on an earlier row")
                continue
            watched.append(WatchedCompany(company=row["company"].strip(), ticker=ticker, cik=cik))
    if tickers is not None:
        known = {w.ticker for w in watched}
        unknown = [t for t in tickers if t not in known]
        if unknown:
            problems.append(
                f"{path.name}: ticker: {', '.join(unknown)} — not a listed company with a sec_cik "
                f"(watchable: {', '.join(sorted(known))})"
            )
        watched = [w for w in watched if w.ticker in set(tickers)]
    if problems:
        raise WatchListError(f"{path.name}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return watched
