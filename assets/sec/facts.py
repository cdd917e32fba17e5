"""XBRL company facts → one row per reported fact, then one row per period (no Dagster here).

`parse_company_facts` keeps the few concepts the project needs, each mapped to a `metric`:

    revenue             us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax,
                        else us-gaap:Revenues
    net_income          us-gaap:NetIncomeLoss
    capex               us-gaap:PaymentsToAcquirePropertyPlantAndEquipment
    rpo                 us-gaap:RevenueRemainingPerformanceObligation
    shares_outstanding  dei:EntityCommonStockSharesOutstanding

Fallback lists are resolved per company *and per period*: for each (unit, start, end) the first
concept of the list that this company reports for that period is used, and the later concepts are
dropped for that period. When a company reports only one of the concepts (Oracle and CoreWeave:
RevenueFromContract...; NVIDIA: Revenues) that is exactly "the first concept that exists for this
company"; when a company switched concepts over the years (Revenues before ASC 606, RevenueFrom-
Contract... after) the history stays complete, and no period is ever counted under two concepts.
The `concept` column says which one each row came from.

`dedupe_facts` then resolves the duplicates: one fact is reported again and again (its 10-Q, the
10-K, next year's comparatives, an 8-K recast, even a proxy statement), see its docstring.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from assets.sec.base import EARLIEST_YEAR, LATEST_YEAR, SecError, cik10

# metric -> fallback list of (taxonomy, concept), first match wins (per company and period)
METRICS: dict[str, tuple[tuple[str, str], ...]] = {
    "revenue": (
        ("us-gaap", "RevenueFromContractWithCustomerExcludingAssessedTax"),
        ("us-gaap", "Revenues"),
    ),
    "net_income": (("us-gaap", "NetIncomeLoss"),),
    "capex": (("us-gaap", "PaymentsToAcquirePropertyPlantAndEquipment"),),
    "rpo": (("us-gaap", "RevenueRemainingPerformanceObligation"),),
    "shares_outstanding": (("dei", "EntityCommonStockSharesOutstanding"),),
}

FACT_SCHEMA: dict[str, pl.DataType] = {
    "cik": pl.String,  # 10 digits, zero-padded
    "ticker": pl.String,
    "taxonomy": pl.String,
    "concept": pl.String,
    "metric": pl.String,
    "unit": pl.String,  # "USD", "shares", ...
    "start": pl.Date,  # null for instant facts (balances, shares outstanding, RPO)
    "end": pl.Date,
    "val": pl.Float64,
    "form": pl.String,  # of the filing that reported this row: 10-Q, 10-K, 8-K, DEF 14A, ...
    "fy": pl.Int64,  # fiscal year *of that filing*, not of the period; null for 8-K, proxies
    "fp": pl.String,  # fiscal period of that filing: Q1..Q3, FY; null for 8-K, proxies
    "filed": pl.Date,
    "accn": pl.String,  # accession number with dashes
    "frame": pl.String,  # e.g. CY2024, CY2025Q1, CY2024Q4I; null on most rows
}

# dedupe_facts adds these to FACT_SCHEMA
PROVENANCE_SCHEMA: dict[str, pl.DataType] = {
    "first_filed": pl.Date,  # when this period's figure was first reported
    "first_accn": pl.String,  # and in which filing (ties on a date: lowest accession)
    "first_form": pl.String,
    "first_fy": pl.Int64,  # usually the period's own fiscal year (fy of later rows is the filer's)
    "first_fp": pl.String,
    "n_reports": pl.Int64,  # how many rows reported this period
    "values_differ": pl.Boolean,  # the reports disagree (restatement, or rounding in later filings)
}

DEDUPE_KEY = ("cik", "metric", "unit", "start", "end")
_RAW_SCHEMA = {**FACT_SCHEMA, "start": pl.String, "end": pl.String, "filed": pl.String}
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_company_facts(doc: dict, ticker: str) -> pl.DataFrame:
    """One row per reported fact of the wanted metrics (see the module docstring), all units kept.

    `doc` is the companyfacts JSON (`cik` may be a number or a string). Rows are sorted by
    metric, unit, end, start, filed, accn. Any malformed part raises `SecError(kind="bad_response")`
    naming the CIK, the concept and the fact's position: a fact without `end`, `val`, `filed` or
    `accn`, a date that is not a real YYYY-MM-DD day of EARLIEST_YEAR..LATEST_YEAR, a `val` that is
    not a finite number, a field of the wrong type.
    """
    cik = cik10(doc.get("cik") if isinstance(doc, dict) else None, "companyfacts")
    facts = _mapping(cik, doc.get("facts") or {}, "facts")
    rows: list[dict[str, Any]] = []
    for metric, candidates in METRICS.items():
        taken: set[tuple[str, str | None, str]] = set()  # (unit, start, end) covered by an earlier concept
        for taxonomy, concept in candidates:
            body = _mapping(cik, facts.get(taxonomy) or {}, taxonomy).get(concept)
            if not body:
                continue
            name = f"{taxonomy}:{concept}"
            this_concept: set[tuple[str, str | None, str]] = set()
            for unit, entries in _mapping(cik, _mapping(cik, body, name).get("units") or {}, f"{name} units").items():
                if not isinstance(entries, list):
                    raise _bad(cik, f"{name} [{unit}] is not an array of facts")
                for i, entry in enumerate(entries):
                    fact = _fact(cik, entry, f"{name} [{unit}] #{i}")
                    period = (unit, fact["start"], fact["end"])
                    if period in taken:
                        continue
                    this_concept.add(period)
                    rows.append({"cik": cik, "ticker": ticker, "taxonomy": taxonomy, "concept": concept, "metric": metric, "unit": unit, **fact})
            taken |= this_concept
    raw = pl.DataFrame(rows, schema=_RAW_SCHEMA) if rows else pl.DataFrame(schema=_RAW_SCHEMA)
    df = raw.with_columns(
        pl.col("start").str.to_date("%Y-%m-%d"),
        pl.col("end").str.to_date("%Y-%m-%d"),
        pl.col("filed").str.to_date("%Y-%m-%d"),
    )
    return df.select(list(FACT_SCHEMA)).sort(["metric", "unit", "end", "start", "filed", "accn"], nulls_last=False)


def _bad(cik: str, reason: str) -> SecError:
    return SecError(cik, "companyfacts", f"malformed companyfacts JSON: {reason}", "bad_response")


def _mapping(cik: str, value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise _bad(cik, f"{where} is a {type(value).__name__}, not an object")
    return value


def _fact(cik: str, entry: Any, where: str) -> dict[str, Any]:
    """The row fields of one fact, each checked: dates real days, `val` a finite number, text text."""
    entry = _mapping(cik, entry, where)
    for key in ("end", "val", "filed", "accn"):
        if entry.get(key) is None:
            raise _bad(cik, f"{where}: no {key!r}")
    val = entry["val"]
    if not _finite_number(val):
        raise _bad(cik, f"{where}: val {val!r:.40} is not a finite number")
    if not isinstance(entry.get("fy"), (int, type(None))) or isinstance(entry.get("fy"), bool):
        raise _bad(cik, f"{where}: fy {entry['fy']!r:.20} is not a year")
    for key in ("accn", "form", "fp", "frame"):
        if not isinstance(entry.get(key), (str, type(None))):
            raise _bad(cik, f"{where}: {key} {entry[key]!r:.40} is not text")
    fy = entry.get("fy")
    if fy is not None and not EARLIEST_YEAR <= fy <= LATEST_YEAR:
        raise _bad(cik, f"{where}: fy {fy} is outside {EARLIEST_YEAR}..{LATEST_YEAR}")
    return {
        "start": _day(cik, entry.get("start"), f"{where} start", optional=True),
        "end": _day(cik, entry["end"], f"{where} end"),
        "val": float(val),
        "form": entry.get("form"),
        "fy": fy,
        "fp": entry.get("fp"),
        "filed": _day(cik, entry["filed"], f"{where} filed"),
        "accn": entry["accn"],
        "frame": entry.get("frame"),
    }


def _finite_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int beyond a double
        return False


def _day(cik: str, value: Any, where: str, optional: bool = False) -> str | None:
    """`value` if it is a real YYYY-MM-DD day within EARLIEST_YEAR..LATEST_YEAR, else SecError."""
    if value is None and optional:
        return None
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            if EARLIEST_YEAR <= date.fromisoformat(value).year <= LATEST_YEAR:
                return value
        except ValueError:
            pass
    raise _bad(cik, f"{where} {value!r:.40} is not a YYYY-MM-DD date in {EARLIEST_YEAR}..{LATEST_YEAR}")


def dedupe_facts(df: pl.DataFrame, demote_forms: Sequence[str] = ()) -> pl.DataFrame:
    """Exactly one row per (cik, metric, unit, start, end): the frame rule, then the latest filing.

    The same figure for the same period is reported by many filings — the 10-Q or 10-K that
    covers it, the comparatives of the next year's filings, an 8-K recast, a proxy statement.
    Summing or averaging them would double count, so for each (cik, metric, unit, start, end)
    (start is null for instants and compared as a value) exactly one row is kept:

    1. rows that carry a `frame` win: the SEC assigns the frame (CY2024, CY2025Q1, CY2024Q4I) to
       the one fact that best represents a calendar period, normally from the latest filing;
    2. among those (or among all rows when none has a frame) the latest `filed` wins, so a recast
       or restatement replaces the original figure;
    3. then the highest `accn`, then the highest `val`, only to make ties deterministic.

    `demote_forms` (default none) ranks rows from those forms below every other row of the
    period before rule 1 — e.g. ("DEF 14A",) to prefer the audited 10-K over the rounded
    pay-versus-performance figure a proxy statement may carry the frame on (CoreWeave FY2025 net
    income: 10-K -1,167 M, DEF 14A -1,168 M with frame CY2025). Such rows are still kept when
    nothing else reports the period.

    The kept row's `form`, `fy`, `fp`, `accn` describe the filing that carried it — often a later
    one (NVIDIA's FY2025 revenue comes from its FY2026 10-K, its FY2025 net income from a 2026
    proxy statement), so identify periods by `start`/`end`, never by `fy`. The added columns
    `first_filed`, `first_accn`, `first_form`, `first_fy`, `first_fp` give the earliest report of
    the period (ties: lowest accession), `n_reports` the number of rows merged and
    `values_differ` whether they disagreed (a restatement, or a later filing rounding to millions).
    Output is sorted by cik, metric, unit, end, start.
    """
    keys = list(DEDUPE_KEY)
    ranked = df.with_columns(
        (~pl.col("form").is_in(list(demote_forms)).fill_null(False)).alias("_not_demoted"),  # null form: not demoted
        pl.col("frame").is_not_null().alias("_has_frame"),
    )
    best = (
        ranked.sort(
            keys + ["_not_demoted", "_has_frame", "filed", "accn", "val"],
            descending=[False] * len(keys) + [True, True, True, True, True],
            nulls_last=False,
        )
        .group_by(keys, maintain_order=True)
        .agg(
            pl.all().exclude("_has_frame", "_not_demoted").first(),
            pl.col("filed").min().alias("first_filed"),
            pl.col("accn").sort_by(["filed", "accn"]).first().alias("first_accn"),
            pl.col("form").sort_by(["filed", "accn"]).first().alias("first_form"),
            pl.col("fy").sort_by(["filed", "accn"]).first().alias("first_fy"),
            pl.col("fp").sort_by(["filed", "accn"]).first().alias("first_fp"),
            pl.len().cast(pl.Int64).alias("n_reports"),
            (pl.col("val").n_unique() > 1).alias("values_differ"),
        )
    )
    return best.select(list(FACT_SCHEMA) + list(PROVENANCE_SCHEMA)).sort(
        ["cik", "metric", "unit", "end", "start"], nulls_last=False
    )
