"""raw/sec_company_facts, raw/sec_filings, raw/deal_candidates materialized for real (snapshot and loopback SEC)."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from assets.fundamentals import DEAL_CANDIDATES, SEC_COMPANY_FACTS, SEC_FILINGS, SEC_RETRY_POLICY, sec_failure
from assets.sec import SecError
from tests.fundamentals.sec_assets_testdata import AMD_8K, AMD_8K_URL, failure_message, materialization, retries
from tests.integration.conftest import fetch_one, table_hashes
from tests.sec.sec_testdata import USER_AGENT

FILINGS = [SEC_FILINGS, DEAL_CANDIDATES]

# NVIDIA fiscal 2025 (2024-01-29 .. 2025-01-26): revenue 130,497 M USD, reported by the FY2025 10-K,
# the FY2026 10-K's comparatives and more; stored once.
NVDA_FY2025 = "ticker = 'NVDA' AND metric = 'revenue' AND start = DATE '2024-01-29' AND \"end\" = DATE '2025-01-26'"


def test_offline_default_loads_the_snapshot(run_sec, offline_sec, warehouse_path):
    result = run_sec(offline_sec)
    assert result.success

    assert fetch_one(warehouse_path, f"SELECT count(*), sum(val) FROM raw.sec_company_facts WHERE {NVDA_FY2025}") == (1, 130_497_000_000)
    assert fetch_one(warehouse_path, "SELECT count(*) FROM raw.sec_company_facts WHERE val = 130497000000") == (1,)
    concept, source, reports = fetch_one(warehouse_path, f"SELECT concept, source, n_reports FROM raw.sec_company_facts WHERE {NVDA_FY2025}")
    assert (concept, source) == ("Revenues", "snapshot") and reports > 1  # NVIDIA reports revenue as us-gaap:Revenues
    # Oracle reports RevenueFromContractWithCustomerExcludingAssessedTax: fiscal 2026 (June to May).
    orcl = fetch_one(
        warehouse_path,
        "SELECT concept, val, form FROM raw.sec_company_facts WHERE ticker = 'ORCL' AND metric = 'revenue' "
        "AND start = DATE '2025-06-01' AND \"end\" = DATE '2026-05-31'",
    )
    assert orcl == ("RevenueFromContractWithCustomerExcludingAssessedTax", 67_357_000_000, "10-K")

    facts = materialization(result, "raw/sec_company_facts")
    # Companies without offline data are reported, with the reason, not skipped silently.
    assert {"AVGO", "META", "AMD", "AMZN", "INTC", "GOOGL", "NBIS", "IREN"} == set(facts["companies_without_data"])
    assert "no offline data" in facts["companies_without_data"]["AVGO"]
    assert "| META | 0001326801 | no offline data | 0 |" in facts["per_company"]
    assert facts["offline_retrieved"]["NVDA"] == {
        "companyfacts_NVDA_excerpt_revenue.json": "2026-08-26",
        "companyfacts_NVDA_excerpt_shares_netincome.json": "2026-08-26",
    }
    assert facts["dagster/row_count"] == fetch_one(warehouse_path, "SELECT count(*) FROM raw.sec_company_facts")[0]

    filings = materialization(result, "raw/sec_filings")
    assert set(filings["companies_without_data"]) == {"ORCL", "MSFT", "AVGO", "AMZN", "INTC", "META", "GOOGL", "NBIS", "IREN"}
    assert filings["offline_retrieved"]["AMD"] == {"submissions_AMD.json": "2026-08-18"}
    forms = {f for (f,) in _rows(warehouse_path, "SELECT DISTINCT form FROM raw.sec_filings")}
    assert {"8-K", "10-K", "10-Q"} <= forms and "4" not in forms

    amd = fetch_one(
        warehouse_path,
        "SELECT ticker, company, form, filing_date, items, document_url, status FROM raw.deal_candidates WHERE accession_number = ?",
        [AMD_8K],
    )
    assert amd == ("AMD", "ADVANCED MICRO DEVICES INC", "8-K", dt.date(2025, 10, 6), "1.01,3.02,7.01,9.01", AMD_8K_URL, "new")
    assert materialization(result, "raw/deal_candidates")["by_status"] == {"new": 20}  # 17 AMD + 3 NVIDIA
    assert all(check.passed for check in result.get_asset_check_evaluations())


def test_rerun_changes_no_table(run_sec, offline_sec, warehouse_path):
    assert run_sec(offline_sec).success
    before = table_hashes(warehouse_path)
    assert run_sec(offline_sec).success
    assert table_hashes(warehouse_path) == before
    assert {"raw.sec_company_facts", "raw.sec_filings", "raw.deal_candidates"} <= set(before)


def test_a_review_status_survives_reruns(run_sec, offline_sec, warehouse_path, reviews_file):
    assert run_sec(offline_sec).success
    first_seen = fetch_one(warehouse_path, "SELECT first_seen_at FROM raw.deal_candidates WHERE accession_number = ?", [AMD_8K])
    reviews_file.write_text(
        "accession_number,status,note\n"
        f"{AMD_8K},added,AMD-OAI-2025-10-SUPPLY and AMD-OAI-2025-10-WARRANT\n"
        "0000002488-21-000205,dismissed,credit facility, not an AI deal\n",  # unquoted comma in the note
        encoding="utf-8",
    )
    for _ in range(2):
        result = run_sec(offline_sec, selection=FILINGS)
        assert result.success
        status, note, seen = fetch_one(
            warehouse_path, "SELECT status, review_note, first_seen_at FROM raw.deal_candidates WHERE accession_number = ?", [AMD_8K]
        )
        assert (status, note) == ("added", "AMD-OAI-2025-10-SUPPLY and AMD-OAI-2025-10-WARRANT")
        assert (seen,) == first_seen
    assert materialization(result, "raw/deal_candidates")["by_status"] == {"added": 1, "dismissed": 1, "new": 18}
    assert fetch_one(warehouse_path, "SELECT review_note FROM raw.deal_candidates WHERE accession_number = '0000002488-21-000205'") == (
        "credit facility, not an AI deal",
    )
    # Deleting the review row makes the candidate 'new' again: the file is the record.
    reviews_file.write_text("accession_number,status,note\n", encoding="utf-8")
    assert run_sec(offline_sec, selection=[DEAL_CANDIDATES]).success
    assert fetch_one(warehouse_path, "SELECT status FROM raw.deal_candidates WHERE accession_number = ?", [AMD_8K]) == ("new",)


def test_a_bad_review_file_lists_every_problem_and_writes_nothing(run_sec, offline_sec, warehouse_path, reviews_file):
    assert run_sec(offline_sec).success
    before = table_hashes(warehouse_path)
    reviews_file.write_text(
        f"accession_number,status,note\n{AMD_8K},done,\n000119312525230895,added,\n{AMD_8K},added,\n", encoding="utf-8"
    )
    result = run_sec(offline_sec, selection=[DEAL_CANDIDATES])
    assert not result.success
    message = failure_message(result)
    assert "candidate_reviews.csv:2: status: done" in message
    assert "candidate_reviews.csv:3: accession_number: 000119312525230895" in message
    assert "candidate_reviews.csv:4: accession_number" in message  # the duplicate
    assert table_hashes(warehouse_path) == before


def test_live_mode_reads_the_sec_api(run_sec, live_sec, serve_sec, warehouse_path, httpserver):
    # NVIDIA reports revenue as us-gaap:Revenues, Oracle as RevenueFromContractWithCustomer...
    serve_sec("NVDA", "companyfacts", "companyfacts_NVDA_excerpt_revenue.json")
    serve_sec("ORCL", "companyfacts", "companyfacts_ORCL_excerpt.json")
    serve_sec("AMD", "submissions", "submissions_AMD.json")

    assert run_sec(live_sec("NVDA", "ORCL"), selection=[SEC_COMPANY_FACTS]).success
    result = run_sec(live_sec("AMD"), selection=FILINGS)
    assert result.success

    assert fetch_one(warehouse_path, f"SELECT concept, val, source FROM raw.sec_company_facts WHERE {NVDA_FY2025}") == (
        "Revenues", 130_497_000_000, "sec"
    )
    assert fetch_one(warehouse_path, "SELECT DISTINCT concept FROM raw.sec_company_facts WHERE ticker = 'ORCL' AND metric = 'revenue'") == (
        "RevenueFromContractWithCustomerExcludingAssessedTax",
    )
    assert fetch_one(warehouse_path, "SELECT document_url, items, status FROM raw.deal_candidates WHERE accession_number = ?", [AMD_8K]) == (
        AMD_8K_URL, "1.01,3.02,7.01,9.01", "new"
    )
    assert materialization(result, "raw/sec_filings")["sec_source"].startswith("live SEC EDGAR at http://127.0.0.1:")
    assert {request.headers["User-Agent"] for request, _ in httpserver.log} == {USER_AGENT}


def test_throttling_fails_the_run_clearly_and_leaves_the_warehouse_as_it_was(run_sec, offline_sec, live_sec, serve_sec, warehouse_path):
    assert run_sec(offline_sec).success
    before = table_hashes(warehouse_path)
    serve_sec("NVDA", "companyfacts", "companyfacts_NVDA_excerpt_revenue.json")
    serve_sec("NVDA", "submissions", "submissions_NVDA.json")
    for endpoint in ("companyfacts", "submissions"):  # NVIDIA answers, then AMD hits the rate limit
        serve_sec("AMD", endpoint, "sec_throttle_403.html", status=403, content_type="text/html")

    result = run_sec(live_sec("NVDA", "AMD"), retries=True)
    assert not result.success
    assert retries(result) == 6  # both HTTP assets, 3 retries each (the production policy, without delay)
    message = failure_message(result)
    assert "SEC EDGAR companyfacts for CIK 0000002488: throttled by SEC (403 Request Rate Threshold Exceeded)" in message
    assert "SEC EDGAR submissions for CIK 0000002488: throttled" in message
    assert "will be retried" in message
    assert table_hashes(warehouse_path) == before  # NVIDIA's fetched data was not written either


@pytest.mark.parametrize(
    ("file", "status", "content_type", "expected"),
    [
        ("sec_nosuchkey_404.xml", 404, "application/xml", "no such CIK/document (404 NoSuchKey)"),
        ("sec_throttle_403.html", 200, "text/html", "throttled by SEC (Request Rate Threshold Exceeded page with HTTP 200)"),
    ],
)
def test_404_fails_and_only_throttling_is_retried(run_sec, live_sec, serve_sec, file, status, content_type, expected):
    serve_sec("AVGO", "companyfacts", file, status=status, content_type=content_type)
    result = run_sec(live_sec("AVGO"), selection=[SEC_COMPANY_FACTS], retries=True)
    assert not result.success
    assert f"SEC EDGAR companyfacts for CIK 0001730168: {expected}" in failure_message(result)
    assert retries(result) == (0 if status == 404 else 3)


def test_malformed_json_fails_without_retrying(run_sec, live_sec, serve_sec):
    serve_sec("ORCL", "companyfacts", body=b'{"cik": 1341439, "facts": {"us-gaap": {"Revenues": {"units": {"USD": [{"val": 1}]}}}}}')
    result = run_sec(live_sec("ORCL"), selection=[SEC_COMPANY_FACTS], retries=True)
    assert not result.success
    assert "malformed companyfacts JSON" in failure_message(result) and "not retried" in failure_message(result)
    assert retries(result) == 0


def test_only_throttling_and_outages_are_retried():
    assert SEC_RETRY_POLICY.backoff == dg.Backoff.EXPONENTIAL and SEC_RETRY_POLICY.jitter == dg.Jitter.PLUS_MINUS
    assert SEC_RETRY_POLICY.max_retries == 3
    for kind in ("throttled", "network", "http"):
        assert sec_failure(SecError("0000002488", "submissions", "x", kind)).allow_retries
    for kind in ("not_found", "bad_response", "forbidden", "invalid_cik"):
        assert not sec_failure(SecError("0000002488", "submissions", "x", kind)).allow_retries


def _rows(warehouse_path, sql):
    import duckdb

    with duckdb.connect(str(warehouse_path), read_only=True) as conn:
        return conn.execute(sql).fetchall()
