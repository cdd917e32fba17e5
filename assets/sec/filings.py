"""A company's recent filings from the submissions JSON, and 8-K deal candidates (no Dagster here).

`filings.recent` in `https://data.sec.gov/submissions/CIK##########.json` is columnar: one array
per field, index-aligned, newest first, holding at least the last year or the last 1,000 filings.
Older pages are listed in `filings.files` and are not read here (a daily discovery run only needs
the recent ones).
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl

from assets.sec.base import EARLIEST_YEAR, LATEST_YEAR, SecError, cik10

ARCHIVES_BASE_URL = "https://www.sec.gov/Archives/edgar/data"
MATERIAL_AGREEMENT_ITEM = "1.01"  # Form 8-K Item 1.01: Entry into a Material Definitive Agreement
EIGHT_K_FORMS = ("8-K", "8-K/A")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

FILING_SCHEMA: dict[str, pl.DataType] = {
    "cik": pl.String,  # 10 digits
    "company": pl.String,  # the submissions doc's "name"
    "form": pl.String,
    "accession_number": pl.String,  # with dashes, as the SEC writes it: 0001193125-25-230895
    "filing_date": pl.Date,
    "report_date": pl.Date,  # null when the SEC gives "" (e.g. Form 144, SC 13G)
    "items": pl.String,  # 8-K items, comma-separated ("1.01,3.02,7.01,9.01"); "" for other forms
    "primary_document": pl.String,
    "document_url": pl.String,
}

CANDIDATE_COLUMNS = ("cik", "company", "form", "accession_number", "filing_date", "items", "document_url")

_FIELDS = {  # our column -> SEC array
    "form": "form",
    "accession_number": "accessionNumber",
    "filing_date": "filingDate",
    "report_date": "reportDate",
    "items": "items",
    "primary_document": "primaryDocument",
}


def parse_submissions(doc: dict, archives_base_url: str = ARCHIVES_BASE_URL) -> pl.DataFrame:
    """One row per filing in `filings.recent`, newest first as the SEC lists them.

    document_url = {archives_base_url}/{int(cik)}/{accession without dashes}/{primaryDocument}.
    Raises `SecError(kind="bad_response")` naming the CIK when the arrays are missing, not arrays of
    text, not index-aligned, or a date is not a real YYYY-MM-DD day (report dates may be empty).
    """
    cik = cik10(doc.get("cik") if isinstance(doc, dict) else None, "submissions")
    filings = doc.get("filings") or {}
    recent = filings.get("recent") if isinstance(filings, dict) else None
    if not isinstance(recent, dict):
        raise _bad(cik, "no filings.recent object")
    missing = [sec for sec in _FIELDS.values() if sec not in recent]
    if missing:
        raise _bad(cik, f"filings.recent lacks {missing}")
    for sec in _FIELDS.values():
        values = recent[sec]
        if not isinstance(values, list) or not all(isinstance(v, str) or v is None for v in values):
            raise _bad(cik, f"filings.recent.{sec} is not an array of text")
    lengths = {sec: len(recent[sec]) for sec in _FIELDS.values()}
    if len(set(lengths.values())) > 1:
        raise _bad(cik, f"filings.recent arrays differ in length: {lengths}")
    for sec, optional in (("filingDate", False), ("reportDate", True)):
        for i, value in enumerate(recent[sec]):
            if not (optional and not value) and not _real_day(value):
                raise _bad(cik, f"filings.recent.{sec}[{i}] {value!r:.40} is not a YYYY-MM-DD date in {EARLIEST_YEAR}..{LATEST_YEAR}")
    name = doc.get("name")
    if not isinstance(name, (str, type(None))):
        raise _bad(cik, "'name' is not text")
    raw = pl.DataFrame(
        {ours: pl.Series(ours, recent[sec], dtype=pl.String) for ours, sec in _FIELDS.items()},
        schema={ours: pl.String for ours in _FIELDS},
    )
    base = archives_base_url.rstrip("/")
    df = raw.with_columns(
        pl.lit(cik).alias("cik"),
        pl.lit(name, dtype=pl.String).alias("company"),
        pl.col("filing_date").str.to_date("%Y-%m-%d"),
        pl.when(pl.col("report_date").fill_null("") == "")
        .then(None)
        .otherwise(pl.col("report_date"))
        .str.to_date("%Y-%m-%d")
        .alias("report_date"),
        pl.col("items").fill_null(""),
        pl.concat_str(
            pl.lit(f"{base}/{int(cik)}/"),
            pl.col("accession_number").str.replace_all("-", "", literal=True),
            pl.lit("/"),
            pl.col("primary_document"),
        ).alias("document_url"),
    )
    return df.select(list(FILING_SCHEMA))


def _bad(cik: str, reason: str) -> SecError:
    return SecError(cik, "submissions", f"malformed submissions JSON: {reason}", "bad_response")


def _real_day(value: object) -> bool:
    if not (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return False
    try:
        return EARLIEST_YEAR <= date.fromisoformat(value).year <= LATEST_YEAR
    except ValueError:
        return False


def eight_k_candidates(filings_df: pl.DataFrame, item: str = MATERIAL_AGREEMENT_ITEM) -> pl.DataFrame:
    """8-K and 8-K/A filings whose items include `item` (default 1.01), newest first.

    Item 1.01 (entry into a material definitive agreement) is how a listed company discloses a
    deal like AMD's OpenAI agreement and warrant (8-K of 2025-10-06, items 1.01,3.02,7.01,9.01).
    Items are compared exactly after splitting on commas, so "1.01" never matches "11.01".
    """
    return (
        filings_df.filter(
            pl.col("form").is_in(EIGHT_K_FORMS)
            & pl.col("items").str.split(",").list.eval(pl.element().str.strip_chars()).list.contains(item)
        )
        .select(list(CANDIDATE_COLUMNS))
        .sort(["filing_date", "accession_number"], descending=[True, True])
    )
