"""Submissions parsed from the real SEC responses; 8-K deal candidates."""

from __future__ import annotations

import copy
from datetime import date

import polars as pl
import pytest

from assets.sec import CANDIDATE_COLUMNS, FILING_SCHEMA, SecError, eight_k_candidates, parse_submissions

from sec_testdata import CIK

AMD_OPENAI_8K = "0001193125-25-230895"


@pytest.fixture
def amd(make_client, serve, snapshot_bytes) -> pl.DataFrame:
    serve(f"/submissions/CIK{CIK['AMD']}.json", snapshot_bytes("submissions_AMD.json"))
    return parse_submissions(make_client().submissions("2488"))


def test_parse_submissions(amd):
    assert amd.schema == pl.Schema(FILING_SCHEMA)
    assert amd.height == 1011
    assert set(amd["cik"]) == {"0000002488"} and set(amd["company"]) == {"ADVANCED MICRO DEVICES INC"}
    assert amd["accession_number"].str.contains(r"^\d{10}-\d{2}-\d{6}$").all()
    assert amd["report_date"].null_count() == 186  # the SEC's "" for forms without a period
    assert amd["filing_date"].max() == date(2026, 8, 18)


def test_amd_openai_8k_is_a_candidate(amd):
    candidates = eight_k_candidates(amd)
    assert candidates.columns == list(CANDIDATE_COLUMNS)
    assert set(candidates["form"]) <= {"8-K", "8-K/A"}
    row = candidates.filter(pl.col("accession_number") == AMD_OPENAI_8K).row(0, named=True)
    assert row["filing_date"] == date(2025, 10, 6)
    assert row["items"] == "1.01,3.02,7.01,9.01"
    assert row["document_url"] == (
        "https://www.sec.gov/Archives/edgar/data/2488/000119312525230895/d28189d8k.htm"
    )
    assert candidates["filing_date"].is_sorted(descending=True)
    assert candidates.height == 17


def test_only_item_1_01_exactly():
    doc = {"cik": "0000000001", "name": "X", "filings": {"recent": {
        "accessionNumber": ["0000000001-25-000001", "0000000001-25-000002", "0000000001-25-000003",
                            "0000000001-25-000004"],
        "filingDate": ["2025-01-01"] * 4,
        "reportDate": ["", "", "", ""],
        "form": ["8-K", "8-K/A", "10-K", "8-K"],
        "items": ["11.01,2.02", "1.01", "1.01", "2.02, 1.01"],
        "primaryDocument": ["a.htm", "b.htm", "c.htm", "d.htm"],
    }}}
    got = eight_k_candidates(parse_submissions(doc))
    assert sorted(got["accession_number"]) == ["0000000001-25-000002", "0000000001-25-000004"]


def test_nvda_and_crwv(snapshot):
    nvda = eight_k_candidates(parse_submissions(snapshot.submissions(CIK["NVDA"])))
    assert nvda.row(0, named=True)["document_url"] == (
        "https://www.sec.gov/Archives/edgar/data/1045810/000104581026000069/nvda-20260817.htm"
    )
    crwv = parse_submissions(snapshot.submissions(CIK["CRWV"]))
    assert crwv.height == 8 and crwv["company"][0] == "CoreWeave, Inc."


def test_misaligned_arrays_are_rejected(snapshot):
    doc = copy.deepcopy(snapshot.submissions(CIK["CRWV"]))
    doc["filings"]["recent"]["items"].pop()
    with pytest.raises(SecError, match="differ in length"):
        parse_submissions(doc)


def test_archives_base_is_configurable(snapshot):
    df = parse_submissions(snapshot.submissions(CIK["CRWV"]), archives_base_url="http://127.0.0.1:9/edgar/")
    assert df["document_url"][0].startswith("http://127.0.0.1:9/edgar/1769628/")
