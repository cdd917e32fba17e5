"""A person's decisions on deal candidates: data/registry/candidate_reviews.csv (no Dagster here).

One row per reviewed candidate: `accession_number,status,note`, e.g.

    accession_number,status,note
    0001193125-25-230895,added,AMD-OAI-2025-10-SUPPLY and AMD-OAI-2025-10-WARRANT in deals.csv
    0000002488-21-000205,dismissed,credit facility amendment, not an AI deal

status: `reviewed` (read, undecided), `added` (now in deals.csv), `dismissed` (not a deal), or
`new` (same as no row). The file, not the warehouse, holds the decisions: they are versioned with
the registry, survive a rebuilt warehouse, need no write access to DuckDB, and every run applies
them again, so no rerun can reset them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from assets.settings import PROJECT_ROOT
from assets.validation import ValidationFailed, validate

from .schemas import CandidateReviews

REVIEWS_FILE = PROJECT_ROOT / "data" / "registry" / "candidate_reviews.csv"
COLUMNS = ("accession_number", "status", "note")
REVIEW_SCHEMA = {"line": pl.Int64, "accession_number": pl.String, "status": pl.String, "note": pl.String}


def load_reviews(path: str | Path = REVIEWS_FILE) -> pl.DataFrame:
    """The validated reviews (line, accession_number, status, note); empty if the file is absent.

    Raises ValidationFailed listing every bad row as `candidate_reviews.csv:<line>: <column>: ...`.
    """
    path = Path(path)
    if not path.is_file():
        return pl.DataFrame(schema=REVIEW_SCHEMA)
    rows = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValidationFailed(
                path.name, [f"{path.name}:1: header: {reader.fieldnames} — expected exactly {','.join(COLUMNS)}"]
            )
        for row in reader:
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue  # blank line
            note = (row.get("note") or "").strip()
            if row.get(None):  # more fields than columns: an unquoted comma in the note
                note = ",".join([note, *row[None]]).strip()
            rows.append(
                {
                    "line": reader.line_num,
                    "accession_number": (row["accession_number"] or "").strip(),
                    "status": (row["status"] or "").strip().lower(),
                    "note": note or None,
                }
            )
    frame = pl.DataFrame(rows, schema=REVIEW_SCHEMA)
    return validate(CandidateReviews, frame, f"{path.name}", lambda r: f"{path.name}:{r['line']}")
