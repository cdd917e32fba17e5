"""The bundled SEC responses, offered with the same interface as `SecClient` (no Dagster here).

`data/snapshot/sec/manifest.csv` lists every file with its endpoint, CIK, ticker, kind (exact /
excerpt / trimmed), the date it stands for (`retrieved`) and its provenance. Several companyfacts
files of one company (NVIDIA has two excerpts) are merged into one document, as the SEC would
serve it. A CIK without files raises `SecError(kind="offline_missing")`, distinct from the live
client's 404.
"""

from __future__ import annotations

import copy
import csv
import json
from datetime import date
from pathlib import Path

from assets.sec.base import SecError, cik10

DEFAULT_SNAPSHOT_DIR = Path(__file__).resolve().parents[2] / "data" / "snapshot" / "sec"
MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("file", "endpoint", "cik", "ticker", "kind", "retrieved", "source_repo", "note")
ENDPOINTS = ("companyfacts", "submissions", "companyconcept")
KINDS = ("exact", "excerpt", "trimmed")


class SnapshotSec:
    """Offline SEC source over a folder holding `manifest.csv` and the JSON files it lists."""

    def __init__(self, folder: str | Path = DEFAULT_SNAPSHOT_DIR):
        self.folder = Path(folder)
        path = self.folder / MANIFEST
        if not path.is_file():
            raise FileNotFoundError(f"SEC snapshot manifest not found: {path}")
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != MANIFEST_COLUMNS:
                raise ValueError(f"{path}: columns {reader.fieldnames}, expected {list(MANIFEST_COLUMNS)}")
            rows = list(reader)
        self.manifest: list[dict] = []
        for n, row in enumerate(rows, start=2):
            if row["endpoint"] not in ENDPOINTS or row["kind"] not in KINDS:
                raise ValueError(f"{path}:{n}: endpoint {row['endpoint']!r} / kind {row['kind']!r} not known")
            self.manifest.append(
                {**row, "cik": cik10(row["cik"], "manifest"), "retrieved": date.fromisoformat(row["retrieved"])}
            )

    def __repr__(self) -> str:
        return f"SnapshotSec({str(self.folder)!r})"

    # -- SecSource ---------------------------------------------------------------------------

    def company_facts(self, cik: str) -> dict:
        """The companyfacts document of `cik`, merged from all of its files."""
        c = cik10(cik, "companyfacts")
        docs = [self._load(row) for row in self._rows(c, "companyfacts")]
        merged = copy.deepcopy(docs[0])
        for doc in docs[1:]:
            _merge_facts(merged, doc, c)
        return merged

    def submissions(self, cik: str) -> dict:
        """The submissions document of `cik`."""
        c = cik10(cik, "submissions")
        rows = self._rows(c, "submissions")
        if len(rows) > 1:
            raise SecError(c, "submissions", f"{len(rows)} offline files, expected one", "offline_ambiguous")
        return self._load(rows[0])

    def company_concept(self, cik: str, taxonomy: str, tag: str) -> dict:
        """The companyconcept document of `cik` for `taxonomy`:`tag`."""
        endpoint = f"companyconcept {taxonomy}:{tag}"
        c = cik10(cik, endpoint)
        for row in self._rows(c, "companyconcept", endpoint):
            doc = self._load(row)
            if doc.get("taxonomy") == taxonomy and doc.get("tag") == tag:
                return doc
        raise SecError(c, endpoint, "no offline data for this concept", "offline_missing")

    # -- metadata ----------------------------------------------------------------------------

    def retrieved(self, cik: str, endpoint: str | None = None) -> dict[str, date]:
        """file name -> the date its data stands for (see the manifest's note), for metadata."""
        c = cik10(cik, endpoint or "snapshot")
        return {
            row["file"]: row["retrieved"]
            for row in self.manifest
            if row["cik"] == c and (endpoint is None or row["endpoint"] == endpoint)
        }

    def files(self, cik: str, endpoint: str | None = None) -> list[dict]:
        """The manifest rows of `cik` (optionally of one endpoint): kind, source, note, ..."""
        c = cik10(cik, endpoint or "snapshot")
        return [dict(r) for r in self.manifest if r["cik"] == c and (endpoint is None or r["endpoint"] == endpoint)]

    # -- plumbing ----------------------------------------------------------------------------

    def _rows(self, cik: str, endpoint: str, label: str | None = None) -> list[dict]:
        rows = [r for r in self.manifest if r["cik"] == cik and r["endpoint"] == endpoint]
        if not rows:
            raise SecError(cik, label or endpoint, "no offline data for this company", "offline_missing")
        return rows

    def _load(self, row: dict) -> dict:
        path = self.folder / row["file"]
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SecError(row["cik"], row["endpoint"], f"offline file {row['file']} unreadable: {exc}") from None
        if not isinstance(doc, dict) or cik10(doc.get("cik"), row["endpoint"]) != row["cik"]:
            raise SecError(row["cik"], row["endpoint"], f"offline file {row['file']} is not for this CIK")
        return doc


def _merge_facts(into: dict, other: dict, cik: str) -> None:
    """Add `other`'s facts to `into`; identical fact rows from both files are kept once."""
    target = into.setdefault("facts", {})
    for taxonomy, concepts in (other.get("facts") or {}).items():
        tax = target.setdefault(taxonomy, {})
        for concept, body in concepts.items():
            if concept not in tax:
                tax[concept] = copy.deepcopy(body)
                continue
            units = tax[concept].setdefault("units", {})
            for unit, entries in (body.get("units") or {}).items():
                have = units.setdefault(unit, [])
                seen = {json.dumps(e, sort_keys=True) for e in have}
                for e in entries:
                    key = json.dumps(e, sort_keys=True)
                    if key not in seen:
                        have.append(copy.deepcopy(e))
                        seen.add(key)
    if not into.get("entityName"):
        into["entityName"] = other.get("entityName")
