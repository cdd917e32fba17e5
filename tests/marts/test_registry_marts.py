"""The registry marts (revenue_mix, arpu, cost_per_gw, commitment_schedule, source_discrepancies).

Part one: the real registry and the bundled snapshot prices, materialized with Dagster into the
session warehouse of tests/marts/conftest.py, with asserted real values, the asset checks and the
example queries of sql/queries/ (run read-only, in Python and through the DuckDB CLI).

Part two: hand-made edge cases on a private copy of that warehouse: registry rows added or changed
straight in the raw/core tables, the mart SQL and the check SQL run again (assets.warehouse.run /
query), and one Dagster run showing that a failing blocking check stops the marts downstream.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.marts.registry_marts import REGISTRY_MART_ASSETS, REGISTRY_MART_CHECKS
from assets.warehouse import STORAGE_COMPATIBILITY, WarehouseResource, query, run
from tests.marts.conftest import materialize_marts

MARTS = ["revenue_mix", "arpu", "cost_per_gw", "commitment_schedule", "source_discrepancies"]
QUERIES = ["commitments_vs_revenue", "revenue_mix_by_source", "cost_per_gw_breakdown", "source_gaps", "arpu_by_basis"]
QUERY_DIR = Path(__file__).resolve().parents[2] / "sql" / "queries"
CLI = Path(sys.executable).parent / "duckdb"


@pytest.fixture(scope="module")
def registry_marts(base_warehouse: Path, mart_instance: dg.DagsterInstance) -> tuple[Path, dg.ExecuteInProcessResult]:
    result = materialize_marts([*REGISTRY_MART_ASSETS, *REGISTRY_MART_CHECKS], base_warehouse, mart_instance)
    assert result.success, "the registry marts failed to materialize"
    return base_warehouse, result


@pytest.fixture(scope="module")
def db(registry_marts) -> duckdb.DuckDBPyConnection:
    warehouse, _ = registry_marts
    conn = duckdb.connect(str(warehouse), read_only=True)
    yield conn
    conn.close()


def rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    return conn.sql(sql, params=params or []).pl().to_dicts()


def one(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> dict:
    (row,) = rows(conn, sql, params)
    return row


# --- the real registry -----------------------------------------------------------------------------


def test_every_registry_mart_and_check_ran_and_passed(registry_marts):
    _, result = registry_marts
    built = {m.asset_key.path[-1]: m.materialization.metadata for m in result.get_asset_materialization_events()}
    assert sorted(built) == sorted(MARTS)
    assert all(meta["dagster/row_count"].value > 0 for meta in built.values())
    checks = {(e.asset_key.path[-1], e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        ("revenue_mix", "shares_sum_to_one"): True,
        ("revenue_mix", "no_negative_amounts"): True,
        ("arpu", "no_negative_amounts"): True,
        ("cost_per_gw", "no_negative_amounts"): True,
        ("cost_per_gw", "flagged_figures_unused"): True,
        ("commitment_schedule", "no_negative_amounts"): True,
        ("commitment_schedule", "overlap_groups_counted_once"): True,
        ("commitment_schedule", "spread_adds_up_to_deal_amount"): True,
        ("source_discrepancies", "both_sides_sourced"): True,
    }


def test_registry_marts_load_as_definitions():
    defs = dg.Definitions(
        assets=REGISTRY_MART_ASSETS, asset_checks=REGISTRY_MART_CHECKS, resources={"warehouse": WarehouseResource(database=":memory:")}
    )
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    for name in MARTS:
        node = graph.get(dg.AssetKey(["mart", name]))
        assert node.group_name == "marts" and node.description
        assert all(c.description for c in node.metadata["dagster/column_schema"].columns)
    blocking = {(c.asset_key.path[-1], c.name) for d in REGISTRY_MART_CHECKS for c in d.check_specs if c.blocking}
    assert {("revenue_mix", "shares_sum_to_one"), ("commitment_schedule", "overlap_groups_counted_once"), ("cost_per_gw", "flagged_figures_unused")} <= blocking


def test_declared_columns_follow_the_conventions(db):
    """The UI's column schema gives the built types; money, shares and ratios are DOUBLE, dates DATE,
    and every row says where it comes from."""
    for asset in REGISTRY_MART_ASSETS:
        schema, name = asset.key.path
        declared = {c.name: c.type for c in asset.specs_by_key[asset.key].metadata["dagster/column_schema"].columns}
        built = dict(db.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchall())
        assert declared == built, name
        for column, kind in built.items():
            if column.endswith(("_usd_bn", "_share", "_ratio", "_gw", "_usd")):
                assert kind == "DOUBLE", (name, column)
            if column.startswith("period_") and column in ("period_start", "period_end"):
                assert kind == "DATE", (name, column)
        ids = "a_source_ids" if name == "source_discrepancies" else "source_ids"
        assert db.execute(f"SELECT count(*) FROM mart.{name} WHERE coalesce(len({ids}), 0) = 0").fetchall() == [(0,)], name


def test_revenue_mix_keeps_the_seed_and_openai_side_by_side(db):
    mix = {(r["period"], "app_tracker" in r["reliability"]): r for r in rows(db, "SELECT * FROM mart.revenue_mix")}
    assert sorted(mix) == [("2024-01", True), ("2025-04", True), ("2025-Q1", True), ("2026-03", False)]
    assert mix["2024-01", True]["personal_share"] == 0.52
    assert mix["2025-04", True]["personal_share"] == 0.685
    assert mix["2025-04", True]["enterprise_share"] == 0.21
    assert mix["2025-Q1", True]["api_share"] == 0.093
    openai = mix["2026-03", False]
    assert openai["enterprise_share"] == 0.40 and openai["lower_bound_shares"] == ["enterprise_share"]
    assert openai["reliability"] == ["company_reported"] and openai["source_ids"] == ["M046", "M045"]
    # The residual is derived and says what it contains.
    assert mix["2025-04", True]["other_share"] == pytest.approx(0.105)
    assert mix["2025-04", True]["other_share_basis"] == "derived"
    assert mix["2025-04", True]["unstated_segments"] == ["api"]
    # Amounts only where the same source gives a total: derived from API 66 M at 9.3 %, or reported.
    q1 = mix["2025-Q1", True]
    assert q1["total_revenue_usd_bn"] == pytest.approx(0.066 / 0.093) and q1["total_revenue_basis"] == "derived"
    assert q1["api_usd_bn"] == pytest.approx(0.066)
    assert (openai["total_revenue_usd_bn"], openai["total_revenue_basis"]) == (2.0, "reported")
    assert openai["enterprise_usd_bn"] == pytest.approx(0.8)
    assert mix["2024-01", True]["total_revenue_usd_bn"] is None and mix["2024-01", True]["personal_usd_bn"] is None


def test_arpu_reported_and_computed_with_their_basis(db):
    reported = rows(db, "SELECT period, arpu_usd, period_basis, user_basis, basis FROM mart.arpu WHERE arpu_kind = 'reported' ORDER BY period")
    assert reported == [
        {"period": "2024-01", "arpu_usd": 0.703, "period_basis": "not stated", "user_basis": "not stated", "basis": "reported"},
        {"period": "2025-04", "arpu_usd": 0.792, "period_basis": "not stated", "user_basis": "not stated", "basis": "reported"},
    ]
    h1_mau = one(db, "SELECT * FROM mart.arpu WHERE period = '2025-H1' AND user_basis = 'MAU'")
    assert h1_mau["arpu_usd"] == pytest.approx(4.3e9 / 6 / 900e6)  # 0.796 USD per MAU and month
    assert (h1_mau["period_basis"], h1_mau["basis"], h1_mau["source_ids"]) == ("monthly", "derived", ["M001", "M068", "M056"])
    q1_wau = one(db, "SELECT * FROM mart.arpu WHERE period = '2026-Q1' AND user_basis = 'WAU'")
    assert q1_wau["arpu_usd"] == pytest.approx(5.7e9 / 3 / 900e6)
    assert "upper bound" in q1_wau["note"]  # 'more than 900 million' users
    year = rows(db, "SELECT revenue_usd_bn, users_m, user_counts FROM mart.arpu WHERE period = '2025' AND user_basis = 'WAU' ORDER BY revenue_usd_bn")
    assert [r["revenue_usd_bn"] for r in year] == [13.0, 13.07]  # both sources kept
    assert year[0]["users_m"] == pytest.approx((500 + 700 + 800) / 3) and year[0]["user_counts"] == 3


def test_cost_per_gw_oracle_against_the_reference(db):
    oracle = one(db, "SELECT * FROM mart.cost_per_gw WHERE row_kind = 'deal' AND deal_id = 'ORCL-OAI-2025-09-300B'")
    assert (oracle["amount_usd_bn"], oracle["capacity_gw"]) == (300.0, 4.5)
    # a five-year rental (payment terms 2027-2031), not the capex of a GW: per GW over the term and per year
    assert (oracle["cost_kind"], oracle["rental_term_years"]) == ("rental", 5.0)
    assert (oracle["rental_usd_bn_per_gw_term"], oracle["rental_usd_bn_per_gw_year"]) == (66.67, 13.33)
    assert (oracle["usd_bn_per_gw"], oracle["capex_usd_bn_per_gw"], oracle["of_ref_mid_share"]) == (None, None, None)
    assert (oracle["ref_low_usd_bn_per_gw"], oracle["ref_mid_usd_bn_per_gw"], oracle["ref_high_usd_bn_per_gw"]) == (50.0, 55.0, 60.0)
    assert oracle["basis"] == "derived"
    # equity never enters cost per GW (NVIDIA's 2 bn CoreWeave stake "for 5 GW" is not 0.4 bn per GW)
    kinds = {r["deal_id"]: r["cost_kind"] for r in rows(db, "SELECT deal_id, cost_kind FROM mart.cost_per_gw WHERE row_kind = 'deal'")}
    assert "NVDA-CRWV-2026-01-EQUITY" not in kinds and set(kinds.values()) <= {"capex", "rental"}
    flows = dict(db.execute("SELECT deal_id, kind FROM core.deal_flows").fetchall())
    assert all(flows[d] in ("purchase_commitment", "financing") for d in kinds)  # site financing is capex-like
    reference = [r["source_ids"][0] for r in rows(db, "SELECT source_ids FROM mart.cost_per_gw WHERE in_reference ORDER BY 1")]
    assert reference == ["E013", "E014", "E016", "E018"]


def test_cost_per_gw_breakdown_of_one_gigawatt(db):
    parts = {r["item"]: r for r in rows(db, "SELECT * FROM mart.cost_per_gw WHERE row_kind = 'component'")}
    hardware = parts["supplier_hardware"]
    assert (hardware["payee"], hardware["usd_bn_per_gw"], hardware["source_ids"]) == ("NVIDIA", 35.0, ["E015", "E017"])
    assert hardware["of_ref_mid_share"] == pytest.approx(35 / 55, abs=1e-4)  # ~0.64 of a GW is NVIDIA hardware
    back = parts["supplier_investment_returned"]
    assert (back["payer"], back["payee"], back["usd_bn_per_gw"], back["basis"]) == ("NVIDIA", "OpenAI", 10.0, "derived")
    assert round(back["of_ref_mid_share"], 2) == 0.18 and back["of_ref_low_share"] == pytest.approx(0.2)
    assert back["of_supplier_hardware_share"] == pytest.approx(10 / 35, abs=1e-4)
    assert "M083" in back["source_ids"] and "NVDA-OAI-2025-09-LOI-EQUITY" in back["source_ids"]
    assert parts["supplier_hardware_net_of_investment"]["usd_bn_per_gw"] == 25.0


def test_the_mistranslated_five_to_six_bn_is_flagged_and_unused(db):
    flagged = rows(db, "SELECT * FROM mart.cost_per_gw WHERE flagged ORDER BY item")
    assert [(r["item"], r["usd_bn_per_gw"], r["source_ids"]) for r in flagged] == [
        ("cost_per_gw", 5.5, ["M077"]),
        ("cost_per_gw_mistranslated", 5.5, ["E032"]),
    ]
    assert all(r["of_ref_mid_share"] is None and not r["in_reference"] for r in flagged)
    # listed against the reference they garble, and in no other comparison
    listed = rows(db, "SELECT comparison, a_value, b_value, b_source_ids FROM mart.source_discrepancies WHERE list_has_any(a_source_ids || b_source_ids, ['E032', 'M077']) ORDER BY b_source_ids")
    assert listed == [
        {"comparison": "flagged_vs_reference", "a_value": 55.0, "b_value": 5.5, "b_source_ids": ["E032"]},
        {"comparison": "flagged_vs_reference", "a_value": 55.0, "b_value": 5.5, "b_source_ids": ["M077"]},
    ]


def test_commitment_schedule_spreads_oracle_and_covers_revenue(db):
    oracle = rows(db, "SELECT * FROM mart.commitment_schedule WHERE counterparty = 'Oracle' AND calendar_year IS NOT NULL ORDER BY calendar_year")
    assert [(r["calendar_year"], r["committed_usd_bn"]) for r in oracle] == [(y, 60.0) for y in range(2027, 2032)]
    assert all(r["basis"] == "derived" and r["deal_ids"] == ["ORCL-OAI-2025-09-300B"] for r in oracle)
    assert any("even split of the ~300 bn total" in rule for rule in oracle[0]["rules"])
    # Oracle's stated ~30 bn a year (FY2028) stays visible, never added.
    by_year = {r["calendar_year"]: r for r in oracle}
    assert (by_year[2028]["overlapping_usd_bn"], by_year[2028]["overlapping_deal_ids"]) == (30.0, ["ORCL-OAI-2025-07-STARGATE-4.5GW"])
    assert by_year[2027]["overlapping_usd_bn"] is None
    # 2025: revenue 13.07 (most recent of 13 and 13.07) against CoreWeave's 2.38.
    y2025 = one(db, "SELECT * FROM mart.commitment_schedule WHERE calendar_year = 2025")
    assert (y2025["revenue_usd_bn"], y2025["revenue_target_usd_bn"], y2025["year_committed_usd_bn"]) == (13.07, 13.0, 2.38)
    assert y2025["coverage_ratio"] == pytest.approx(13.07 / 2.38, abs=1e-4)
    # one contract has an amount for 2025; the others active that year are named and make the ratio an upper bound
    assert y2025["coverage_is_upper_bound"] is True and "MSFT-OAI-2025-10-AZURE" in y2025["year_unscheduled_deal_ids"]
    assert {"M036", "M037", "M010"} <= set(y2025["source_ids"])
    y2030 = rows(db, "SELECT DISTINCT year_committed_usd_bn, coverage_ratio, target_coverage_ratio FROM mart.commitment_schedule WHERE calendar_year = 2030")
    assert y2030 == [{"year_committed_usd_bn": 72.5, "coverage_ratio": None, "target_coverage_ratio": pytest.approx(280 / 72.5, abs=1e-4)}]
    unscheduled = {r["counterparty"]: r["committed_usd_bn"] for r in rows(db, "SELECT * FROM mart.commitment_schedule WHERE calendar_year IS NULL")}
    assert (unscheduled["Microsoft"], unscheduled["CoreWeave"], unscheduled["Broadcom"], unscheduled["NVIDIA"]) == (250.0, 10.5, None, None)
    assert unscheduled["AMD"] == 100.0  # an analyst estimate (amount_basis estimate), with a start but no end: not spread


def test_source_discrepancies_show_both_sides(db):
    gaps = {r["discrepancy_id"]: r for r in rows(db, "SELECT * FROM mart.source_discrepancies")}
    oracle = gaps["overlap_group_schedule:ORCL-OAI-2025-07-STARGATE-4.5GW:ORCL-OAI-2025-09-300B"]
    assert (oracle["a_value"], oracle["a_period"], oracle["a_basis"]) == (30.0, "FY2028", "reported")
    assert (oracle["b_value"], oracle["b_period"], oracle["b_basis"]) == (60.0, "2027/2031", "derived")
    assert oracle["relative_gap_ratio"] == 0.5 and oracle["gap"] == 30.0
    tracker = gaps["implied_vs_reported:M060+M066:M001+M068"]
    assert round(tracker["a_value"], 2) == 0.71 and tracker["a_period"] == "2025-Q1" and tracker["a_basis"] == "derived"
    assert (tracker["b_value"], tracker["b_period"]) == (4.3, "2025-H1")
    assert tracker["b_comparable"] == pytest.approx(4.3 / 6, abs=1e-4) and tracker["a_comparable"] == pytest.approx(0.066 / 0.093 / 3, abs=1e-4)
    assert (tracker["reading"], tracker["beyond_tolerance"]) == ("tracker figure for its whole period", True)
    # side by side: read as MONTHLY figures the tracker's 0.066 / 0.093 = 0.71 bn a month reconciles with 4.3 / 6
    monthly = gaps["implied_vs_reported:M060+M066:monthly:M001+M068"]
    assert (monthly["reading"], monthly["beyond_tolerance"]) == ("tracker figure read as monthly", False)
    assert monthly["a_comparable"] == pytest.approx(0.066 / 0.093, abs=1e-4) and monthly["relative_gap_ratio"] < 0.05
    outlier = gaps["estimate_vs_reference:reference:E020"]
    assert (outlier["a_value"], outlier["b_value"]) == (55.0, 22.5)
    assert "estimate_vs_reference:reference:E019" not in gaps  # "more than 40 bn" agrees with 50-60
    # Within the tolerance, so not listed: revenue 2025 13 vs 13.07; the press moves that match the prices.
    assert not any(r["comparison"] == "same_figure" for r in gaps.values())
    assert [r["a_source_ids"] for r in gaps.values() if r["comparison"] == "press_vs_prices"] == [["E034"]]


def test_the_seeds_43_percent_in_four_sessions_is_computed_from_the_prices(db):
    """The seed article's "43 % in four trading days" (E034): +41.43 % over the four sessions
    2025-10-06..09 on the bundled closes (164.67 -> 232.89), +43.05 % over three (-> 235.56), so the
    43 % belongs to three sessions (E004 agrees with the prices and is not listed)."""
    (amd,) = rows(db, "SELECT * FROM mart.source_discrepancies WHERE comparison = 'press_vs_prices'")
    closes = dict(db.execute(
        "SELECT trade_date::VARCHAR, close FROM core.prices WHERE ticker = 'AMD' AND trade_date BETWEEN '2025-10-03' AND '2025-10-09'"
    ).fetchall())
    assert amd["discrepancy_id"] == "press_vs_prices:E034:core.prices"
    assert (amd["a_value"], amd["a_period"], amd["b_sessions"]) == (0.43, "2025-10-06/2025-10-09", 4)
    assert amd["b_value"] == round(closes["2025-10-09"] / closes["2025-10-03"] - 1, 4) == 0.4143
    assert amd["b_value_one_session_less"] == round(closes["2025-10-08"] / closes["2025-10-03"] - 1, 4) == 0.4305
    assert amd["beyond_tolerance"] is True and amd["gap"] == pytest.approx(0.4143 - 0.43, abs=1e-4)


def test_example_queries_give_the_documented_answers(db):
    def run_query(name: str) -> list[dict]:
        return db.sql((QUERY_DIR / f"{name}.sql").read_text()).pl().to_dicts()

    years = {r["year"]: r for r in run_query("commitments_vs_revenue")}
    assert years["2025"]["coverage_ratio"] == 5.49 and years["2027"]["committed_usd_bn"] == 84.9
    assert years["2028"]["overlap_not_counted_usd_bn"] == 35.4
    assert {"Broadcom", "NVIDIA"} <= set(years["unscheduled"]["undisclosed"].split(", "))
    mix = run_query("revenue_mix_by_source")
    assert [r["period"] for r in mix] == ["2024-01", "2025-Q1", "2025-04", "2026-03"]
    breakdown = {r["what"]: r for r in run_query("cost_per_gw_breakdown")}
    assert (breakdown["ORCL-OAI-2025-09-300B"]["rental_usd_bn_per_gw_year"], breakdown["ORCL-OAI-2025-09-300B"]["of_mid_share"]) == (13.33, None)
    assert breakdown["supplier_investment_returned"]["of_mid_share"] == 0.182
    assert breakdown["cost_per_gw_mistranslated"]["flagged"] is True
    gaps = run_query("source_gaps")
    assert [r["relative_gap_ratio"] for r in gaps] == [0.9, 0.9, 0.67, 0.591, 0.566, 0.5, 0.037, 0.01]
    arpu = run_query("arpu_by_basis")
    assert len(arpu) == 9 and {r["arpu_kind"] for r in arpu} == {"reported", "computed"}


@pytest.mark.skipif(not CLI.exists(), reason="the DuckDB CLI is installed by `make setup`")
@pytest.mark.parametrize("name", QUERIES)
def test_example_query_runs_in_the_duckdb_cli(registry_marts, db, name):
    """As the README shows it: `duckdb -readonly warehouse.duckdb < sql/queries/<name>.sql`."""
    warehouse, _ = registry_marts
    done = subprocess.run(
        [str(CLI), "-readonly", "-json", str(warehouse)],
        input=(QUERY_DIR / f"{name}.sql").read_text(), capture_output=True, text=True, timeout=60,
        env={**os.environ, "HOME": str(warehouse.parent)},
    )
    assert done.returncode == 0, done.stderr
    expected = db.sql((QUERY_DIR / f"{name}.sql").read_text()).fetchall()
    assert len(json.loads(done.stdout or "[]")) == len(expected)


def test_every_example_query_says_what_it_answers():
    for name in QUERIES:
        text = (QUERY_DIR / f"{name}.sql").read_text()
        header = [line for line in text.splitlines() if line.startswith("--")]
        assert text.startswith("-- ") and len(" ".join(header)) > 80, name  # a sentence or two on what it answers
        assert "FROM mart." in text, name


# --- hand-made edge cases on a copy ----------------------------------------------------------------


@pytest.fixture
def scratch(registry_marts, tmp_path) -> duckdb.DuckDBPyConnection:
    """A writable copy of the session warehouse, with the period macros loaded."""
    warehouse, _ = registry_marts
    copy = tmp_path / "scratch.duckdb"
    shutil.copyfile(warehouse, copy)
    conn = duckdb.connect(str(copy), config={"storage_compatibility_version": STORAGE_COMPATIBILITY})
    run(conn, "macros/periods.sql")
    yield conn
    conn.close()


SEED_DOC = "hand-made test source"


def add_metric(conn, metric_id: str, metric: str, period: str, value: float, unit: str = "share", note: str | None = None, source: str = SEED_DOC):
    conn.execute(
        "INSERT INTO raw.openai_metrics VALUES (?, ?, ?, ?, ?, 'test', NULL, ?, DATE '2026-01-01', 'press_reported', ?, 'test.csv:1')",
        [metric_id, metric, period, value, unit, source, note],
    )


def rebuild(conn, *marts: str) -> None:
    for mart in marts:
        run(conn, f"mart/{mart}.sql")


def test_a_mix_that_adds_up_to_more_than_one_fails_the_check(scratch):
    add_metric(scratch, "T1", "revenue_mix_personal_share", "2025-07", 0.70)
    add_metric(scratch, "T2", "revenue_mix_enterprise_share", "2025-07", 0.40)
    # within 0.02 of 1: rounding, passes
    add_metric(scratch, "T3", "revenue_mix_personal_share", "2025-08", 0.70)
    add_metric(scratch, "T4", "revenue_mix_enterprise_share", "2025-08", 0.21)
    add_metric(scratch, "T5", "revenue_mix_api_share", "2025-08", 0.10)
    # four stated shares that miss 1 by 0.1
    for mid, seg, value in [("T6", "personal", 0.5), ("T7", "enterprise", 0.2), ("T8", "api", 0.1), ("T9", "other", 0.1)]:
        add_metric(scratch, mid, f"revenue_mix_{seg}_share", "2025-09", value)
    rebuild(scratch, "revenue_mix")
    failing = query(scratch, "checks/revenue_mix_shares_sum.sql")
    assert sorted(failing["period"].to_list()) == ["2025-07", "2025-09"]
    stated = one(scratch, "SELECT other_share, other_share_basis FROM mart.revenue_mix WHERE period = '2025-09'")
    assert stated == {"other_share": 0.1, "other_share_basis": "reported"}
    assert one(scratch, "SELECT other_share FROM mart.revenue_mix WHERE period = '2025-08'")["other_share"] == pytest.approx(-0.01)
    # the negative residual gets no amount, so the amounts stay non-negative
    assert query(scratch, "checks/revenue_mix_no_negative.sql").is_empty()


def test_a_second_deal_of_an_overlap_group_counted_fails_the_check(scratch):
    scratch.execute("UPDATE core.deal_flows SET counts_in_totals = true WHERE deal_id = 'ORCL-OAI-2025-07-STARGATE-4.5GW'")
    rebuild(scratch, "commitment_schedule")
    row = one(scratch, "SELECT committed_usd_bn, deal_ids FROM mart.commitment_schedule WHERE calendar_year = 2028 AND counterparty = 'Oracle'")
    assert row == {"committed_usd_bn": 90.0, "deal_ids": ["ORCL-OAI-2025-07-STARGATE-4.5GW", "ORCL-OAI-2025-09-300B"]}
    failing = query(scratch, "checks/commitment_schedule_overlap_once.sql").to_dicts()
    assert [(r["calendar_year"], r["overlap_group"]) for r in failing] == [(2028, "ORACLE-OAI-300")]


def test_a_deal_without_terms_is_spread_evenly_over_its_period(scratch):
    scratch.execute(
        "INSERT INTO core.deal_flows (flow_id, deal_id, payer, payee, kind, amount_usd_bn, amount_basis, counts_in_totals, confidence,"
        " announced_on, start_period, end_period, source_url, source_date)"
        " VALUES ('T-OAI-AVGO:purchase_commitment', 'T-OAI-AVGO', 'OpenAI', 'Broadcom', 'purchase_commitment', 30, 'approx', true,"
        " 'reported_by_press', DATE '2026-01-02', '2027', '2029-H2', 'https://example.org/t', DATE '2026-01-02')"
    )
    rebuild(scratch, "commitment_schedule")
    spread = rows(scratch, "SELECT calendar_year, committed_usd_bn, basis, rules FROM mart.commitment_schedule WHERE counterparty = 'Broadcom' ORDER BY calendar_year NULLS LAST")
    assert [(r["calendar_year"], r["committed_usd_bn"], r["basis"]) for r in spread[:3]] == [(2027, 10.0, "derived"), (2028, 10.0, "derived"), (2029, 10.0, "derived")]
    assert spread[0]["rules"] == ["even split of the 30.0 bn total over 2027-2029 (no payment terms in the registry)"]
    assert spread[3]["calendar_year"] is None and spread[3]["committed_usd_bn"] is None  # AVGO-OAI-2025-10: undisclosed


def test_flagged_estimates_never_make_the_reference(scratch):
    # Three flagged copies of the 5-6 bn range outnumber the two 50-60 bn sources: still not used.
    for i in range(3):
        scratch.execute(
            "INSERT INTO raw.reference_estimates VALUES (?, 'cost_per_gw_all_in', 'test', '2025', 5.5, 'USD bn per GW', 5, 6, 'test',"
            " ?, NULL, DATE '2025-12-01', 'FLAGGED: factor-10 slip', 'test.csv:1')",
            [f"T{i}", f"https://example.org/{i}"],
        )
    rebuild(scratch, "cost_per_gw", "source_discrepancies")
    assert rows(scratch, "SELECT DISTINCT ref_low_usd_bn_per_gw AS lo, ref_high_usd_bn_per_gw AS hi FROM mart.cost_per_gw") == [{"lo": 50.0, "hi": 60.0}]
    assert query(scratch, "checks/cost_per_gw_flagged_unused.sql").is_empty()
    # a flagged figure is only ever listed against the reference it garbles
    assert scratch.execute("SELECT count(*) FROM mart.source_discrepancies WHERE list_contains(b_source_ids, 'T0') AND comparison <> 'flagged_vs_reference'").fetchall() == [(0,)]
    # Tampering: a flagged row given a share fails the check.
    scratch.execute("UPDATE mart.cost_per_gw SET of_ref_mid_share = 0.1 WHERE list_contains(source_ids, 'E032')")
    assert query(scratch, "checks/cost_per_gw_flagged_unused.sql")["problem"].to_list() == ["flagged figure used"]


def test_tampered_amounts_fail_the_no_negative_checks(scratch):
    scratch.execute("UPDATE mart.commitment_schedule SET committed_usd_bn = -1 WHERE calendar_year = 2025")
    scratch.execute("UPDATE mart.cost_per_gw SET capacity_gw = -4.5 WHERE deal_id = 'ORCL-OAI-2025-09-300B'")
    scratch.execute("UPDATE mart.arpu SET users_m = 0 WHERE period = '2026-Q1'")
    assert query(scratch, "checks/commitment_schedule_no_negative.sql")["calendar_year"].to_list() == [2025]
    assert query(scratch, "checks/cost_per_gw_no_negative.sql")["deal_id"].to_list() == ["ORCL-OAI-2025-09-300B"]
    assert query(scratch, "checks/arpu_no_negative.sql")["period"].to_list() == ["2026-Q1"]


def test_a_failing_blocking_check_stops_the_marts_downstream(registry_marts, mart_instance, tmp_path):
    """A real Dagster run: the mix check fails, so source_discrepancies (which reads the mix) is skipped."""
    warehouse, _ = registry_marts
    copy = tmp_path / "blocked.duckdb"
    shutil.copyfile(warehouse, copy)
    with duckdb.connect(str(copy), config={"storage_compatibility_version": STORAGE_COMPATIBILITY}) as conn:
        add_metric(conn, "T1", "revenue_mix_personal_share", "2025-07", 0.90)
        add_metric(conn, "T2", "revenue_mix_enterprise_share", "2025-07", 0.30)
    result = materialize_marts([*REGISTRY_MART_ASSETS, *REGISTRY_MART_CHECKS], copy, mart_instance)
    assert not result.success
    checks = {(e.asset_key.path[-1], e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    assert checks[("revenue_mix", "shares_sum_to_one")] is False
    built = {m.asset_key.path[-1] for m in result.get_asset_materialization_events()}
    assert "revenue_mix" in built and "source_discrepancies" not in built
