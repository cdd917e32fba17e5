"""pandera.polars models of the SEC tables and of the candidate review file."""

import datetime as dt

import pandera.polars as pa
import polars as pl
from pandera.engines.polars_engine import DateTime

from assets.sec.facts import METRICS
from assets.settings import TICKER_PATTERN

CIK_PATTERN = r"^[0-9]{10}$"
ACCESSION_PATTERN = r"^[0-9]{10}-[0-9]{2}-[0-9]{6}$"  # as the SEC writes it: 0001193125-25-230895
SOURCES = ["snapshot", "sec"]
REVIEW_STATUSES = ["new", "reviewed", "added", "dismissed"]
UTC = {"time_unit": "us", "time_zone": "UTC"}


class SecCompanyFacts(pa.DataFrameModel):
    """raw.sec_company_facts: one XBRL fact per company, metric, unit and period (de-duplicated)."""

    cik: str = pa.Field(str_matches=CIK_PATTERN, description="SEC CIK, 10 digits")
    ticker: str = pa.Field(str_matches=TICKER_PATTERN.pattern, description="Ticker from companies.csv")
    taxonomy: str = pa.Field(isin=["us-gaap", "dei"], description="XBRL taxonomy of the concept")
    concept: str = pa.Field(description="XBRL concept the row came from, e.g. Revenues")
    metric: str = pa.Field(isin=list(METRICS), description="revenue, net_income, capex, rpo, shares_outstanding")
    unit: str = pa.Field(description="USD, shares, ...")
    start: dt.date = pa.Field(nullable=True, description="Period start; null for instants (balances, RPO, shares)")
    end: dt.date = pa.Field(description="Period end, or the instant")
    val: float = pa.Field(description="Reported value in `unit` (not scaled)")
    form: str = pa.Field(nullable=True, description="Form of the filing that carried the kept row (10-K, 10-Q, 8-K, ...)")
    fy: int = pa.Field(nullable=True, description="Fiscal year of that filing (not of the period)")
    fp: str = pa.Field(nullable=True, description="Fiscal period of that filing: Q1..Q3, FY")
    filed: dt.date = pa.Field(description="Filing date of the kept row")
    accn: str = pa.Field(str_matches=ACCESSION_PATTERN, description="Accession number of the kept row, with dashes")
    frame: str = pa.Field(nullable=True, description="SEC calendar frame, e.g. CY2024, CY2025Q1, CY2024Q4I")
    first_filed: dt.date = pa.Field(description="When the period was first reported")
    first_accn: str = pa.Field(str_matches=ACCESSION_PATTERN, description="Accession number of that first report")
    first_form: str = pa.Field(nullable=True, description="Form of the first report")
    first_fy: int = pa.Field(nullable=True, description="fy of the first report (usually the period's own fiscal year)")
    first_fp: str = pa.Field(nullable=True, description="fp of the first report")
    n_reports: int = pa.Field(ge=1, description="How many reports of this period were merged into this row")
    values_differ: bool = pa.Field(description="The reports disagreed (restatement or rounding)")
    source: str = pa.Field(isin=SOURCES, description="sec (live data.sec.gov) or snapshot (bundled files)")
    fetched_at: DateTime = pa.Field(dtype_kwargs=UTC, description="When the row was fetched or last changed (UTC)")

    class Config:
        strict = True
        unique = ["cik", "metric", "unit", "start", "end"]

    @pa.dataframe_check(error="start <= end")
    def period_is_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("start") <= pl.col("end")).fill_null(True))


class SecFilings(pa.DataFrameModel):
    """raw.sec_filings: recent filings of the watched companies."""

    cik: str = pa.Field(str_matches=CIK_PATTERN, description="SEC CIK, 10 digits")
    ticker: str = pa.Field(str_matches=TICKER_PATTERN.pattern, description="Ticker from companies.csv")
    company: str = pa.Field(nullable=True, description="Name as the SEC writes it")
    form: str = pa.Field(description="8-K, 8-K/A, 10-K, 10-Q, ...")
    accession_number: str = pa.Field(str_matches=ACCESSION_PATTERN, description="Accession number, with dashes")
    filing_date: dt.date = pa.Field(description="Filing date")
    report_date: dt.date = pa.Field(nullable=True, description="Period of report / event date")
    items: str = pa.Field(description="8-K items, comma-separated (e.g. 1.01,3.02,7.01,9.01); empty for other forms")
    primary_document: str = pa.Field(nullable=True, description="File name of the main document")
    document_url: str = pa.Field(str_startswith="https://", description="URL of the main document on www.sec.gov")
    source: str = pa.Field(isin=SOURCES, description="sec (live) or snapshot (bundled files)")
    fetched_at: DateTime = pa.Field(dtype_kwargs=UTC, description="When the row was fetched or last changed (UTC)")

    class Config:
        strict = True
        unique = ["cik", "accession_number"]


class DealCandidates(pa.DataFrameModel):
    """raw.deal_candidates: 8-Ks with Item 1.01 (material definitive agreement), for a person to review."""

    cik: str = pa.Field(str_matches=CIK_PATTERN, description="SEC CIK, 10 digits")
    ticker: str = pa.Field(str_matches=TICKER_PATTERN.pattern, description="Ticker from companies.csv")
    company: str = pa.Field(nullable=True, description="Filer's name as the SEC writes it")
    form: str = pa.Field(isin=["8-K", "8-K/A"], description="8-K or 8-K/A")
    accession_number: str = pa.Field(str_matches=ACCESSION_PATTERN, description="Accession number, with dashes")
    filing_date: dt.date = pa.Field(description="Filing date")
    items: str = pa.Field(str_contains="1.01", description="8-K items; always include 1.01")
    document_url: str = pa.Field(str_startswith="https://", description="The 8-K's main document")
    status: str = pa.Field(isin=REVIEW_STATUSES, description="new (not reviewed), reviewed, added (to deals.csv) or dismissed")
    review_note: str = pa.Field(nullable=True, description="The reviewer's note from candidate_reviews.csv")
    first_seen_at: DateTime = pa.Field(dtype_kwargs=UTC, description="When the pipeline first stored the candidate (UTC)")

    class Config:
        strict = True
        unique = ["cik", "accession_number"]


class CandidateReviews(pa.DataFrameModel):
    """data/registry/candidate_reviews.csv: a person's decision on a candidate."""

    line: int = pa.Field(description="Line in the file (for messages)")
    accession_number: str = pa.Field(
        str_matches=ACCESSION_PATTERN, unique=True, description="The candidate's accession number, e.g. 0001193125-25-230895"
    )
    status: str = pa.Field(isin=REVIEW_STATUSES, description="reviewed, added, dismissed (or new to undo)")
    note: str = pa.Field(nullable=True, description="Free text: why, or the deal_id it became")

    class Config:
        strict = True
