"""Company facts parsed from the real SEC responses, then de-duplicated."""

from __future__ import annotations

import copy
import json
from datetime import date

import polars as pl
import pytest

from assets.sec import FACT_SCHEMA, SecError, dedupe_facts, parse_company_facts
from assets.sec.facts import DEDUPE_KEY, PROVENANCE_SCHEMA

from sec_testdata import CIK


def _one(df: pl.DataFrame, metric: str, start: str | None, end: str) -> dict:
    cond = (pl.col("metric") == metric) & (pl.col("end") == date.fromisoformat(end))
    cond &= pl.col("start").is_null() if start is None else pl.col("start") == date.fromisoformat(start)
    rows = df.filter(cond)
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def _assert_one_row_per_period(deduped: pl.DataFrame) -> None:
    assert deduped.select(DEDUPE_KEY).is_duplicated().sum() == 0


@pytest.fixture
def nvda(make_client, serve, snapshot_bytes) -> pl.DataFrame:
    """NVIDIA revenue through the live client, from the real excerpt on a loopback server."""
    serve(f"/api/xbrl/companyfacts/CIK{CIK['NVDA']}.json", snapshot_bytes("companyfacts_NVDA_excerpt_revenue.json"))
    return parse_company_facts(make_client().company_facts(CIK["NVDA"]), "NVDA")


def test_schema(nvda):
    assert nvda.schema == pl.Schema(FACT_SCHEMA)
    deduped = dedupe_facts(nvda)
    assert deduped.schema == pl.Schema({**FACT_SCHEMA, **PROVENANCE_SCHEMA})


def test_nvda_revenue_via_revenues_concept(nvda):
    revenue = nvda.filter(pl.col("metric") == "revenue")
    assert set(revenue["concept"]) == {"Revenues"}  # NVIDIA does not tag RevenueFromContract...
    assert set(nvda["cik"]) == {"0001045810"} and set(nvda["ticker"]) == {"NVDA"}
    reported = revenue.filter(pl.col("end") == date(2025, 1, 26))
    assert reported.height == 2  # FY2025 10-K and, as comparative, the FY2026 10-K
    assert set(reported["accn"]) == {"0001045810-25-000023", "0001045810-26-000021"}

    fy2025 = _one(dedupe_facts(nvda), "revenue", "2024-01-29", "2025-01-26")
    assert fy2025["val"] == 130_497_000_000
    assert fy2025["first_accn"] == "0001045810-25-000023" and fy2025["first_form"] == "10-K"
    assert fy2025["first_fy"] == 2025 and fy2025["first_fp"] == "FY"
    assert fy2025["n_reports"] == 2 and not fy2025["values_differ"]
    # the frame rule keeps the FY2026 10-K's comparative (frame CY2024): same value, later filing
    assert fy2025["frame"] == "CY2024" and fy2025["accn"] == "0001045810-26-000021" and fy2025["fy"] == 2026


def test_nvda_instants_have_no_start(nvda):
    rpo = nvda.filter(pl.col("metric") == "rpo")
    assert rpo.height == 14 and rpo["start"].null_count() == 14
    assert _one(dedupe_facts(nvda), "rpo", None, "2026-07-26")["val"] == 3_200_000_000


def test_nvda_net_income_and_shares_from_snapshot(snapshot):
    doc = snapshot.company_facts(CIK["NVDA"])  # the two real excerpts, merged
    deduped = dedupe_facts(parse_company_facts(doc, "NVDA"))
    _assert_one_row_per_period(deduped)
    assert set(deduped["metric"]) == {"revenue", "net_income", "rpo", "shares_outstanding"}
    ni = _one(deduped, "net_income", "2024-01-29", "2025-01-26")
    assert ni["val"] == 72_880_000_000
    assert ni["n_reports"] == 3 and ni["first_accn"] == "0001045810-25-000023"
    assert ni["form"] == "DEF 14A" and ni["frame"] == "CY2024"  # the proxy statement carries the frame
    shares = deduped.filter(pl.col("metric") == "shares_outstanding")
    assert set(shares["unit"]) == {"shares"} and shares["start"].null_count() == shares.height


def test_orcl_revenue_capex(make_client, serve, snapshot_bytes):
    serve(f"/api/xbrl/companyfacts/CIK{CIK['ORCL']}.json", snapshot_bytes("companyfacts_ORCL_excerpt.json"))
    facts = parse_company_facts(make_client().company_facts("1341439"), "ORCL")
    assert set(facts.filter(pl.col("metric") == "revenue")["concept"]) == {
        "RevenueFromContractWithCustomerExcludingAssessedTax"
    }
    deduped = dedupe_facts(facts)
    _assert_one_row_per_period(deduped)
    assert _one(deduped, "revenue", "2024-06-01", "2025-05-31")["val"] == 57_399_000_000
    assert _one(deduped, "capex", "2024-06-01", "2025-05-31")["val"] == 21_215_000_000
    assert _one(deduped, "capex", "2025-06-01", "2026-05-31")["val"] == 55_663_000_000
    assert _one(deduped, "revenue", "2024-06-01", "2025-05-31")["first_accn"] == "0000950170-25-087926"


def test_crwv_string_cik_and_fy2024_revenue(make_client, serve, snapshot_bytes):
    raw = snapshot_bytes("companyfacts_CRWV_excerpt.json")
    assert json.loads(raw)["cik"] == "0001769628"  # a string in this copy; the SEC serves a number
    serve(f"/api/xbrl/companyfacts/CIK{CIK['CRWV']}.json", raw)
    facts = parse_company_facts(make_client().company_facts("1769628"), "CRWV")
    assert set(facts["cik"]) == {"0001769628"}
    deduped = dedupe_facts(facts)
    assert _one(deduped, "revenue", "2024-01-01", "2024-12-31")["val"] == 1_915_000_000
    # CoreWeave's 2026 filings restate 2025 quarters rounded to millions: the framed one wins
    q1 = _one(deduped, "revenue", "2025-01-01", "2025-03-31")
    assert q1["val"] == 982_000_000 and q1["values_differ"] and q1["first_accn"] == "0001769628-25-000014"


def test_crwv_demote_proxy_statement(snapshot):
    facts = parse_company_facts(snapshot.company_facts("1769628"), "CRWV")
    by_rule = _one(dedupe_facts(facts), "net_income", "2025-01-01", "2025-12-31")
    assert by_rule["form"] == "DEF 14A" and by_rule["val"] == -1_168_000_000 and by_rule["values_differ"]
    audited = _one(dedupe_facts(facts, demote_forms=("DEF 14A",)), "net_income", "2025-01-01", "2025-12-31")
    assert audited["form"] == "10-K" and audited["val"] == -1_167_000_000


def test_msft_8k_recast_dedupe(snapshot):
    facts = parse_company_facts(snapshot.company_facts("789019"), "MSFT")
    fy2022 = facts.filter((pl.col("metric") == "revenue") & (pl.col("end") == date(2022, 6, 30)))
    assert fy2022.height == 4 and set(fy2022["form"]) == {"10-K", "8-K"}
    assert fy2022.filter(pl.col("form") == "8-K")["fy"].to_list() == [None]  # 8-K rows have no fy/fp

    deduped = dedupe_facts(facts)
    _assert_one_row_per_period(deduped)
    assert deduped.height == 3  # revenue FY2022, RPO 2024-03-31, RPO 2024-06-30
    rev = _one(deduped, "revenue", "2021-07-01", "2022-06-30")
    assert rev["form"] == "8-K" and rev["accn"] == "0000950170-24-132722" and rev["frame"] == "CY2022"
    assert rev["val"] == 198_270_000_000 and rev["n_reports"] == 4
    assert rev["first_accn"] == "0001564590-22-026876" and rev["first_fy"] == 2022
    rpo = _one(deduped, "rpo", None, "2024-06-30")
    assert rpo["form"] == "8-K" and rpo["val"] == 275_000_000_000
    # never double counted: the sum over periods equals the sum of the distinct periods' values
    assert deduped.filter(pl.col("metric") == "revenue")["val"].sum() == 198_270_000_000


def test_frame_beats_a_later_filing():
    doc = {
        "cik": 1,
        "facts": {"us-gaap": {"NetIncomeLoss": {"units": {"USD": [
            {"start": "2024-01-01", "end": "2024-12-31", "val": 10, "accn": "0000000001-25-000001",
             "fy": 2024, "fp": "FY", "form": "10-K", "filed": "2025-02-01", "frame": "CY2024"},
            {"start": "2024-01-01", "end": "2024-12-31", "val": 11, "accn": "0000000001-26-000001",
             "fy": 2025, "fp": "FY", "form": "10-K", "filed": "2026-02-01"},
            {"start": "2024-01-01", "end": "2024-12-31", "val": 11, "accn": "0000000001-26-000000",
             "fy": 2025, "fp": "FY", "form": "10-K/A", "filed": "2026-02-01"},
        ]}}}},
    }
    facts = parse_company_facts(doc, "X")
    kept = dedupe_facts(facts).row(0, named=True)
    assert kept["val"] == 10 and kept["frame"] == "CY2024" and kept["n_reports"] == 3 and kept["values_differ"]
    del doc["facts"]["us-gaap"]["NetIncomeLoss"]["units"]["USD"][0]["frame"]
    kept = dedupe_facts(parse_company_facts(doc, "X")).row(0, named=True)
    assert kept["accn"] == "0000000001-26-000001"  # latest filed, then highest accession


def test_revenue_fallback_is_per_period(snapshot):
    """A company that switched concepts keeps its full history, one concept per period."""
    doc = copy.deepcopy(snapshot.company_facts("1341439"))
    first = doc["facts"]["us-gaap"]["RevenueFromContractWithCustomerExcludingAssessedTax"]["units"]["USD"]
    older = {"start": "2017-06-01", "end": "2018-05-31", "val": 39_831_000_000, "accn": "0001341439-18-000017",
             "fy": 2018, "fp": "FY", "form": "10-K", "filed": "2018-06-21", "frame": "CY2017"}
    same_period = dict(first[-1], val=1.0)  # also tagged Revenues: must not be counted twice
    doc["facts"]["us-gaap"]["Revenues"] = {"units": {"USD": [older, same_period]}}
    facts = parse_company_facts(doc, "ORCL")
    revenue = facts.filter(pl.col("metric") == "revenue")
    assert revenue.filter(pl.col("concept") == "Revenues").height == 1
    deduped = dedupe_facts(facts)
    assert _one(deduped, "revenue", "2017-06-01", "2018-05-31")["concept"] == "Revenues"
    assert _one(deduped, "revenue", "2025-06-01", "2026-05-31")["val"] == 67_357_000_000


def test_empty_and_invalid_docs():
    empty = parse_company_facts({"cik": 2488, "facts": {}}, "AMD")
    assert empty.height == 0 and empty.schema == pl.Schema(FACT_SCHEMA)
    assert dedupe_facts(empty).height == 0
    with pytest.raises(SecError, match="no 'val'"):
        parse_company_facts({"cik": 1, "facts": {"us-gaap": {"NetIncomeLoss": {"units": {"USD": [
            {"end": "2024-12-31", "accn": "a", "filed": "2025-01-01"}]}}}}}, "X")
