"""Fetch the watched companies' SEC data into validated frames, and report per company (no Dagster here).

Every function takes any `SecSource` — the live `SecClient` or the offline `SnapshotSec` — and
raises `SecError` for anything that should fail the run (throttling, 404, a malformed document).
The one thing that does not fail is a company the *offline* snapshot has no file for: it is
reported (`CompanyReport.status == "no offline data"`), never silently skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from assets.sec import (
    FILING_SCHEMA,
    METRICS,
    SecError,
    SecSource,
    SnapshotSec,
    dedupe_facts,
    eight_k_candidates,
    parse_company_facts,
    parse_submissions,
)
from assets.validation import validate

from .companies import WatchedCompany
from .schemas import SecCompanyFacts, SecFilings

# Forms kept in raw.sec_filings. The rest of filings.recent is mostly insider and holder paperwork
# (Forms 3/4/5, 144, SC 13G: ~85 % of NVIDIA's and AMD's lists) that says nothing about deals.
KEPT_FORMS = ("8-K", "8-K/A", "10-K", "10-K/A", "10-Q", "10-Q/A", "20-F", "20-F/A")
# A proxy statement can carry the SEC frame for a rounded pay-versus-performance figure
# (CoreWeave FY2025 net income); prefer the audited 10-K/10-Q figure for the same period.
DEMOTED_FORMS = ("DEF 14A",)
NO_OFFLINE_DATA = "no offline data"
OK = "ok"

Log = Callable[[str], None]


@dataclass
class CompanyReport:
    """What one company gave: shown per company in the asset's metadata."""

    ticker: str
    cik: str
    status: str  # "ok" or "no offline data"
    rows: int = 0
    detail: str = ""
    retrieved: dict[str, str] = field(default_factory=dict)  # offline file -> date its data stands for


@dataclass
class Batch:
    frame: pl.DataFrame
    reports: list[CompanyReport]

    @property
    def fetched_ciks(self) -> list[str]:
        """CIKs whose data was fetched: their rows in the table are replaced."""
        return [r.cik for r in self.reports if r.status == OK]

    @property
    def missing(self) -> dict[str, str]:
        """ticker -> why it gave no rows (no offline data, or none of the wanted facts)."""
        return {r.ticker: r.detail for r in self.reports if r.status != OK or r.rows == 0}

    def summary(self) -> pl.DataFrame:
        return pl.DataFrame(
            [
                {
                    "ticker": r.ticker,
                    "cik": r.cik,
                    "status": r.status,
                    "rows": r.rows,
                    "detail": r.detail,
                    "retrieved": ", ".join(f"{d} ({f})" for f, d in r.retrieved.items()),
                }
                for r in self.reports
            ],
            schema={"ticker": pl.String, "cik": pl.String, "status": pl.String, "rows": pl.Int64, "detail": pl.String, "retrieved": pl.String},
        )


def source_name(source: SecSource) -> str:
    return "snapshot" if isinstance(source, SnapshotSec) else "sec"


def fetch_facts(
    source: SecSource, companies: Sequence[WatchedCompany], fetched_at: datetime, log: Log = lambda _m: None
) -> Batch:
    """raw.sec_company_facts rows of every company: parsed, de-duplicated, validated."""
    frames, reports = [], []
    for company in companies:
        doc = _get(source, company, "companyfacts", log)
        if doc is None:
            reports.append(_no_offline_data(company, "companyfacts"))
            continue
        try:
            facts = dedupe_facts(parse_company_facts(doc, company.ticker), demote_forms=DEMOTED_FORMS)
        except ValueError as exc:
            raise SecError(company.cik, "companyfacts", f"malformed companyfacts JSON: {exc}", "bad_response") from None
        absent = [m for m in METRICS if m not in set(facts["metric"])]
        detail = ("no facts for " + ", ".join(absent)) if absent else ""
        if facts.is_empty():
            detail = "the document holds none of the wanted concepts"
        reports.append(CompanyReport(company.ticker, company.cik, OK, facts.height, detail, _retrieved(source, company, "companyfacts")))
        frames.append(facts)
    frame = _stamp(pl.concat(frames) if frames else _empty_facts(), source, fetched_at)
    frame = validate(SecCompanyFacts, frame, "raw.sec_company_facts batch", _where_fact)
    return Batch(frame, reports)


def fetch_filings(
    source: SecSource, companies: Sequence[WatchedCompany], fetched_at: datetime, log: Log = lambda _m: None
) -> Batch:
    """raw.sec_filings rows (KEPT_FORMS of filings.recent) of every company, validated."""
    frames, reports = [], []
    for company in companies:
        doc = _get(source, company, "submissions", log)
        if doc is None:
            reports.append(_no_offline_data(company, "submissions"))
            continue
        filings = _parse_submissions(doc, company)
        kept = filings.filter(pl.col("form").is_in(KEPT_FORMS)).with_columns(pl.lit(company.ticker).alias("ticker"))
        n_8k = kept.filter(pl.col("form").is_in(["8-K", "8-K/A"])).height
        n_101 = eight_k_candidates(kept).height
        oldest = filings["filing_date"].min()
        detail = f"{n_8k} 8-K ({n_101} with Item 1.01) of {filings.height} recent filings since {oldest}"
        reports.append(CompanyReport(company.ticker, company.cik, OK, kept.height, detail, _retrieved(source, company, "submissions")))
        frames.append(kept)
    columns = ["cik", "ticker", *[c for c in FILING_SCHEMA if c != "cik"]]
    frame = pl.concat([f.select(columns) for f in frames]) if frames else pl.DataFrame(schema={"ticker": pl.String, **FILING_SCHEMA}).select(columns)
    frame = _stamp(frame, source, fetched_at)
    frame = validate(SecFilings, frame, "raw.sec_filings batch", lambda r: f"{r['ticker']} {r['accession_number']}")
    return Batch(frame, reports)


def material_agreements(
    source: SecSource, companies: Sequence[WatchedCompany], log: Log = lambda _m: None
) -> tuple[pl.DataFrame, dict[str, str]]:
    """For the sensor: 8-Ks with Item 1.01 of every company (cik, accession_number, filing_date, ...).

    Returns (candidates, problems by ticker). A throttled answer stops at once (asking further
    would only extend the SEC's block) and is raised; other errors are collected so one broken
    company does not hide another's new filing.
    """
    frames, problems = [], {}
    for company in companies:
        try:
            doc = _get(source, company, "submissions", log)
        except SecError as exc:
            if exc.kind == "throttled":
                raise
            problems[company.ticker] = str(exc)
            continue
        if doc is None:
            problems[company.ticker] = NO_OFFLINE_DATA
            continue
        try:
            frames.append(eight_k_candidates(_parse_submissions(doc, company)))
        except SecError as exc:
            problems[company.ticker] = str(exc)
    empty = eight_k_candidates(pl.DataFrame(schema=FILING_SCHEMA))
    return (pl.concat(frames) if frames else empty), problems


# -- helpers ------------------------------------------------------------------------------------


def _get(source: SecSource, company: WatchedCompany, endpoint: str, log: Log) -> dict | None:
    """The document, or None when the offline snapshot has no file for the company."""
    try:
        return source.company_facts(company.cik) if endpoint == "companyfacts" else source.submissions(company.cik)
    except SecError as exc:
        if exc.kind == "offline_missing":
            log(f"{company.ticker} (CIK {company.cik}): {NO_OFFLINE_DATA} for {endpoint} in the bundled snapshot")
            return None
        raise


def _parse_submissions(doc: dict, company: WatchedCompany) -> pl.DataFrame:
    try:
        return parse_submissions(doc)
    except (ValueError, TypeError) as exc:
        raise SecError(company.cik, "submissions", f"malformed submissions JSON: {exc}", "bad_response") from None


def _no_offline_data(company: WatchedCompany, endpoint: str) -> CompanyReport:
    detail = f"{NO_OFFLINE_DATA}: the bundled snapshot has no {endpoint} file for this CIK; set PERPETUUM_SEC_USER_AGENT to fetch it live"
    return CompanyReport(company.ticker, company.cik, NO_OFFLINE_DATA, 0, detail)


def _retrieved(source: SecSource, company: WatchedCompany, endpoint: str) -> dict[str, str]:
    if isinstance(source, SnapshotSec):
        return {name: day.isoformat() for name, day in source.retrieved(company.cik, endpoint).items()}
    return {}


def _stamp(frame: pl.DataFrame, source: SecSource, fetched_at: datetime) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(source_name(source)).alias("source"),
        pl.lit(fetched_at).cast(pl.Datetime("us", "UTC")).alias("fetched_at"),
    )


def _empty_facts() -> pl.DataFrame:
    return dedupe_facts(parse_company_facts({"cik": "0", "facts": {}}, "X"))


def _where_fact(row: dict) -> str:
    return f"{row['ticker']} {row['metric']} {row['unit']} {row['start'] or ''}..{row['end']} ({row['accn']})"
