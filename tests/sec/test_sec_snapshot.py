"""The bundled SEC snapshot: manifest consistent with its files, same interface as SecClient."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest

from assets.sec import SecError, SnapshotSec
from assets.sec.snapshot import MANIFEST_COLUMNS

from sec_testdata import CIK, SNAPSHOT_DIR


def _latest_filed(doc: dict, endpoint: str) -> str:
    if endpoint == "submissions":
        return max(doc["filings"]["recent"]["filingDate"])
    units = [b["units"] for c in doc["facts"].values() for b in c.values()] if endpoint == "companyfacts" else [
        doc["units"]]
    return max(e["filed"] for u in units for rows in u.values() for e in rows)


def test_manifest_matches_files():
    with (SNAPSHOT_DIR / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == MANIFEST_COLUMNS
    listed = {r["file"] for r in rows}
    on_disk = {p.name for p in SNAPSHOT_DIR.glob("*.json")}
    assert listed == on_disk
    for r in rows:
        doc = json.loads((SNAPSHOT_DIR / r["file"]).read_text(encoding="utf-8"))
        assert int(doc["cik"]) == int(r["cik"]) and len(r["cik"]) == 10
        assert r["kind"] in {"exact", "excerpt", "trimmed"} and r["source_repo"]
        assert r["retrieved"] == _latest_filed(doc, r["endpoint"])
        assert "retrieved = latest" in r["note"]
    assert {r["ticker"]: r["cik"] for r in rows if r["ticker"] in CIK} == CIK


def test_nvda_excerpts_are_merged(snapshot):
    doc = snapshot.company_facts(1045810)
    assert doc["entityName"] == "NVIDIA CORP"
    assert {"Revenues", "NetIncomeLoss", "RevenueRemainingPerformanceObligation"} <= set(doc["facts"]["us-gaap"])
    assert "EntityCommonStockSharesOutstanding" in doc["facts"]["dei"]
    # merging does not alter the files on disk or double rows on a second call
    again = snapshot.company_facts("1045810")
    assert len(again["facts"]["us-gaap"]["NetIncomeLoss"]["units"]["USD"]) == 30


def test_identical_rows_merge_once(tmp_path):
    doc = json.loads((SNAPSHOT_DIR / "companyfacts_MSFT_excerpt.json").read_text(encoding="utf-8"))
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(doc), encoding="utf-8")
    with (tmp_path / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(MANIFEST_COLUMNS)
        for name in ("a.json", "b.json"):
            w.writerow([name, "companyfacts", "0000789019", "MSFT", "excerpt", "2024-12-03", "x", "n"])
    merged = SnapshotSec(tmp_path).company_facts("789019")
    assert merged == doc


def test_unknown_company_is_offline_missing(snapshot):
    with pytest.raises(SecError) as info:
        snapshot.company_facts("2488")  # AMD has submissions offline, but no companyfacts
    assert info.value.kind == "offline_missing" and "no offline data for this company" in str(info.value)
    with pytest.raises(SecError, match="no offline data for this company"):
        snapshot.submissions("320193")
    with pytest.raises(SecError) as info:
        snapshot.submissions("not-a-cik")
    assert info.value.kind == "invalid_cik"


def test_retrieved_dates(snapshot):
    got = snapshot.retrieved(CIK["NVDA"], "companyfacts")
    assert got == {
        "companyfacts_NVDA_excerpt_revenue.json": date(2026, 8, 26),
        "companyfacts_NVDA_excerpt_shares_netincome.json": date(2026, 8, 26),
    }
    assert snapshot.retrieved("2488")["submissions_AMD.json"] == date(2026, 8, 18)
    assert snapshot.retrieved("320193") == {}
    assert {r["kind"] for r in snapshot.files(CIK["ORCL"])} == {"trimmed"}


def test_company_concept(snapshot):
    doc = snapshot.company_concept("1730168", "dei", "EntityPublicFloat")
    assert doc["entityName"] == "Broadcom Inc."
    with pytest.raises(SecError, match="no offline data for this concept"):
        snapshot.company_concept("1730168", "dei", "EntityCommonStockSharesOutstanding")


def test_same_interface_as_client(snapshot, make_client, serve):
    for name in ("company_facts", "submissions", "company_concept"):
        assert callable(getattr(snapshot, name)) and callable(getattr(make_client(), name))
