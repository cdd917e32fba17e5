"""The real registry, materialized for real into a temporary DuckDB file: every table, the deal flows,
overlap-aware totals, idempotent reruns and the asset checks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from tests.deals.registry_testdata import REGISTRY, TODAY, edit, line_of, materialize, read_rows, write_rows

from assets.deals import REGISTRY_ASSETS, REGISTRY_CHECKS, RegistryResource
from assets.deals.assets import flow_parties_are_companies, one_flow_per_deal, overlap_groups_counted_once
from assets.deals.registry import FILES
from assets.deals.rules import load_registry
from assets.deals.schemas import FLOW_KIND
from assets.warehouse import WarehouseResource
from tests.integration.conftest import fetch_one, table_hashes


def rows_of(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def test_the_real_registry_has_no_problem():
    registry = load_registry(REGISTRY, TODAY)
    assert {name: table.frame.height for name, table in registry.tables.items()} == {
        spec.table: len(read_rows(REGISTRY, spec.file)[1]) for spec in FILES
    }
    # ... and it stays valid on the real date too (nothing in it lies in the future).
    load_registry(REGISTRY, date.today())


def test_every_table_is_loaded_with_the_line_it_came_from(loaded_warehouse):
    database, _ = loaded_warehouse
    for spec in FILES:
        count = fetch_one(database, f"SELECT count(*) FROM raw.{spec.table}")[0]
        assert count == len(read_rows(REGISTRY, spec.file)[1]), spec.table
    line = line_of(REGISTRY, "deals.csv", "AMD-OAI-2025-10-WARRANT")
    assert fetch_one(database, "SELECT loaded_from, buyer, announced_on FROM raw.deals WHERE deal_id = 'AMD-OAI-2025-10-WARRANT'") == (
        f"deals.csv:{line}", "OpenAI OpCo, LLC", date(2025, 10, 6)
    )
    # The 25 seed-article figures without a URL (E034, the "43 % in four trading days", among them) name their document instead.
    no_url = fetch_one(
        database,
        "SELECT count(*), count(*) FILTER (source_document LIKE 'Seed article ''Wann stoppt die KI%') FROM "
        "(SELECT source_url, source_document FROM raw.openai_metrics UNION ALL SELECT source_url, source_document FROM raw.reference_estimates) "
        "WHERE source_url IS NULL",
    )
    assert no_url == (25, 25)
    assert fetch_one(database, "SELECT count(*) FROM raw.openai_metrics WHERE source_url IS NOT NULL AND source_url NOT LIKE 'http%'") == (0,)
    # AMD's warrant tranches, with the undisclosed ones stored as labelled assumptions.
    tranches = rows_of(
        database,
        "SELECT item, value, basis FROM raw.deal_terms WHERE deal_id = 'AMD-OAI-2025-10-WARRANT' AND unit = 'price_condition_usd' ORDER BY item",
    )
    assert tranches == [(f"tranche_{k}", 100.0 * k, "assumption" if k < 6 else "stated") for k in range(1, 7)]


def test_month_precise_dates_keep_their_precision_through_to_the_flows(loaded_warehouse):
    database, _ = loaded_warehouse
    written = {row[0]: row[1] for row in read_rows(REGISTRY, "deals.csv")[1]}
    flows = rows_of(database, "SELECT deal_id, announced_on, announced_precision FROM core.deal_flows WHERE announced_precision <> 'day' ORDER BY deal_id")
    # Every deal whose file date is a month (YYYY-MM) is stored on the month's first day, marked month.
    assert flows == sorted(
        (deal_id, date.fromisoformat(text + "-01"), "month") for deal_id, text in written.items() if len(text) == 7
    )
    assert ("NVDA-CRWV-2025-09-BACKSTOP", date(2025, 9, 1), "month") in flows
    days = rows_of(database, "SELECT count(*) FROM raw.deals WHERE announced_precision = 'day'")[0][0]
    assert days + len(flows) == len(written)


def test_every_check_passes_on_the_real_registry(tmp_path, session_instance):
    result = materialize(REGISTRY, tmp_path / "w.duckdb", session_instance)
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 5 + len(REGISTRY_CHECKS)
    assert all(evaluation.passed for evaluation in evaluations)


def test_loading_the_same_files_again_changes_nothing(registry_copy, tmp_path, session_instance):
    database = tmp_path / "w.duckdb"
    materialize(registry_copy, database, session_instance)
    before = table_hashes(database)
    materialize(registry_copy, database, session_instance)
    assert table_hashes(database) == before


def test_an_edited_file_replaces_the_rows_instead_of_adding(registry_copy, tmp_path, session_instance):
    database = tmp_path / "w.duckdb"
    first = materialize(registry_copy, database, session_instance)
    edit(registry_copy, "deals.csv", "NVDA-INTC-2025-09", amount_usd_bn="5.5")
    header, rows = read_rows(registry_copy, "estimates.csv")
    write_rows(registry_copy, "estimates.csv", header, rows[:-1])  # a row deleted by hand
    second = materialize(registry_copy, database, session_instance)

    assert fetch_one(database, "SELECT amount_usd_bn FROM raw.deals WHERE deal_id = 'NVDA-INTC-2025-09'") == (5.5,)
    assert fetch_one(database, "SELECT count(*) FROM raw.deals") == (len(read_rows(registry_copy, "deals.csv")[1]),)
    assert fetch_one(database, "SELECT count(*) FROM raw.reference_estimates") == (len(rows) - 1,)
    assert fetch_one(database, "SELECT amount_usd_bn FROM core.deal_flows WHERE deal_id = 'NVDA-INTC-2025-09'") == (5.5,)

    # Each raw table's data version is its file's hash: changed for deals, the same for companies.
    def versions(result) -> dict[str, str]:
        return {m.asset_key.path[-1]: m.tags["dagster/data_version"] for m in result.asset_materializations_for_node("registry_files")}

    before, after = versions(first), versions(second)
    assert before["deals"] != after["deals"] and before["reference_estimates"] != after["reference_estimates"]
    assert before["companies"] == after["companies"]


def test_a_failure_lists_every_problem_of_every_file_at_once(registry_copy, warehouse_copy, session_instance):
    deal = edit(registry_copy, "deals.csv", "NVDA-OAI-2026-02-EQUITY", amount_usd_bn="-5", seller="Foo Corp")
    term = line_of(registry_copy, "deal_terms.csv", "ORCL-OAI-2025-09-300B")
    edit(registry_copy, "deal_terms.csv", "ORCL-OAI-2025-09-300B", value="sixty")
    metric = edit(registry_copy, "metrics.csv", "M001", source_date="2099-01-01")
    estimate = edit(registry_copy, "estimates.csv", "E002", source_url="businesstoday.in")
    database, hashes = warehouse_copy

    result = materialize_unraised(registry_copy, database, session_instance)

    assert not result.success
    failure = result.failure_data_for_node("registry_files").user_failure_data
    assert failure.description.splitlines()[1:] == [
        f"  deals.csv:{deal}: seller: 'Foo Corp' — not a company or alias in companies.csv",
        f"  deals.csv:{deal}: amount_usd_bn: -5 — must be non-negative",
        f"  deal_terms.csv:{term}: value: 'sixty' — must be a number (digits with '.' for decimals; no units, no thousands separators)",
        f"  metrics.csv:{metric}: source_date: '2099-01-01' — must not be after today (2026-11-23)",
        f"  estimates.csv:{estimate}: source_url: 'businesstoday.in' — must be an http(s) URL",
    ]
    assert failure.description.startswith(f"registry {registry_copy}: 5 problem(s), nothing was written:")
    # The per-file checks show the problems in the UI; untouched files pass.
    checks = {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}
    assert {name: e.passed for name, e in checks.items()} == {
        "deals": False, "deal_terms": False, "companies": True, "openai_metrics": False, "reference_estimates": False
    }
    assert checks["deals"].metadata["problems"].value == 2
    assert table_hashes(database) == hashes


def materialize_unraised(folder: Path, database: Path, instance: dg.DagsterInstance):
    return dg.materialize(
        [*REGISTRY_ASSETS, *REGISTRY_CHECKS],
        resources={
            "warehouse": WarehouseResource(database=str(database)),
            "registry": RegistryResource(folder=str(folder), today=TODAY.isoformat()),
        },
        instance=instance,
        raise_on_error=False,
    )


def test_excel_style_files_load(registry_copy, tmp_path, session_instance):
    """A byte-order mark, CRLF line ends and blank lines, as spreadsheets write them, are fine."""
    for spec in FILES:
        path = registry_copy / spec.file
        text = path.read_text(encoding="utf-8").replace("\n", "\r\n") + "\r\n"
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    database = tmp_path / "w.duckdb"
    materialize(registry_copy, database, session_instance)
    assert fetch_one(database, "SELECT count(*) FROM raw.deals") == (len(read_rows(REGISTRY, "deals.csv")[1]),)
    assert fetch_one(database, "SELECT count(*) FROM raw.deals WHERE terms LIKE '%\r%'") == (0,)


# --- core.deal_flows ---------------------------------------------------------------------------------


def test_deal_flows_resolve_parties_and_point_money_from_payer_to_payee(loaded_warehouse):
    database, _ = loaded_warehouse
    flows = {
        deal: rest
        for deal, *rest in rows_of(database, "SELECT deal_id, payer, payee, kind, amount_usd_bn, amount_basis, capacity_gw, counts_in_totals FROM core.deal_flows")
    }
    assert len(flows) == len(read_rows(REGISTRY, "deals.csv")[1]) >= 55
    # Bonds and loans are financing from lender to borrower; Meta's residual value guarantee backs
    # the Hyperion vehicle (guarantor -> beneficiary); SoftBank's purchases pay OpenAI.
    assert flows["ORCL-2025-09-BONDS"][:4] == ["Oracle bond investors", "Oracle", "financing", 18.0]
    assert flows["META-HYPERION-2025-10-RVG"][:3] == ["Meta Platforms", "Hyperion JV", "backstop"]
    assert flows["SFTB-OAI-2025-02-SERVICES"][:3] == ["SoftBank Group", "OpenAI", "purchase_commitment"]
    assert flows["OAI-SBE-2026-01-MILAM-LEASE"][:2] == ["OpenAI", "SoftBank Group"]  # 'SB Energy'
    # NVIDIA invests in OpenAI: the LOI (never executed) and the Feb-2026 equity, one overlap group.
    assert flows["NVDA-OAI-2025-09-LOI-EQUITY"] == ["NVIDIA", "OpenAI", "equity", 100.0, "up to", 10.0, False]
    assert flows["NVDA-OAI-2026-02-EQUITY"] == ["NVIDIA", "OpenAI", "equity", 30.0, "exact", None, True]
    # OpenAI buys Oracle compute; the 4.5 GW row of the same relationship does not count again.
    assert flows["ORCL-OAI-2025-09-300B"] == ["OpenAI", "Oracle", "purchase_commitment", 300.0, "approx", 4.5, True]
    assert flows["ORCL-OAI-2025-07-STARGATE-4.5GW"][:4] == ["OpenAI", "Oracle", "purchase_commitment", None]
    # AMD gives OpenAI a warrant (the holder is written "OpenAI OpCo, LLC" in deals.csv).
    assert flows["AMD-OAI-2025-10-WARRANT"] == ["AMD", "OpenAI", "warrant", None, None, 6.0, True]
    assert flows["AMD-OAI-2025-10-SUPPLY"][:3] == ["OpenAI", "AMD", "purchase_commitment"]
    assert flows["SFTB-OAI-2025-03-ROUND"][:2] == ["SoftBank Group", "OpenAI"]  # 'SoftBank Group (+ syndicate)'
    assert flows["AWS-OAI-2025-11"][:2] == ["OpenAI", "Amazon"]  # 'Amazon Web Services'
    assert flows["STARGATE-2025-01"][:3] == ["Stargate partners", "Stargate", "equity"] and flows["STARGATE-2025-01"][-1] is False
    assert fetch_one(database, "SELECT flow_id, confidence, source_url FROM core.deal_flows WHERE deal_id = 'ORCL-OAI-2025-09-300B'") == (
        "ORCL-OAI-2025-09-300B:purchase_commitment",
        "reported_by_press",
        "https://www.thenews.com.pk/latest/1342862-300-billion-deal-between-openai-oracle-largest-cloud-contract-in-history",
    )


def test_overlap_groups_are_never_summed(loaded_warehouse):
    """Summing every row double counts the same money; the overlap-aware total equals the hand sum."""
    database, _ = loaded_warehouse

    def totals(where: str) -> tuple[float, float]:
        naive, aware = fetch_one(
            database, f"SELECT sum(amount_usd_bn), sum(amount_usd_bn) FILTER (counts_in_totals) FROM core.deal_flows WHERE {where}"
        )
        return round(naive, 6), round(aware, 6)

    # OpenAI's purchase commitments, by hand: Oracle 300 (the 4.5 GW row and the Stargate site rows
    # have no amount and overlap), Microsoft 250, AWS 100 (the 38 bn of Nov 2025 is in the same
    # group), CoreWeave 11.9 + 4 + 6.5, Cerebras 10 + 20 ...
    stated = 300 + 250 + 100 + 11.9 + 4 + 6.5 + 10 + 20
    naive, aware = totals("payer = 'OpenAI' AND kind = 'purchase_commitment' AND amount_basis <> 'estimate'")
    assert aware == pytest.approx(stated)
    assert naive == pytest.approx(aware + 38)
    # ... and AMD's 100 bn is only BofA's estimate: in the totals, but never mistaken for a stated figure.
    naive, aware = totals("payer = 'OpenAI' AND kind = 'purchase_commitment'")
    assert aware == pytest.approx(stated + 100)

    # Equity into OpenAI, by hand: NVIDIA 30 (not also its 100 bn LOI), Microsoft 13, Amazon 50,
    # SoftBank's 2025 round 40 (not also its 22.5 bn second close) and 2026 follow-on 30.
    naive, aware = totals("payee = 'OpenAI' AND kind = 'equity'")
    assert aware == pytest.approx(30 + 13 + 50 + 40 + 30)
    assert naive == pytest.approx(aware + 100 + 22.5)

    # Everything announced: the Stargate umbrella (500), the xAI vehicle (2) and Meta's first
    # CoreWeave contract (14.2, inside the 21 bn expansion) drop out as well.
    naive, aware = totals("true")
    assert aware < naive
    assert naive - aware == pytest.approx(100 + 38 + 22.5 + 2 + 500 + 14.2)


def test_the_sql_maps_every_deal_type_like_the_rules(registry_copy, tmp_path, session_instance):
    # A (hypothetical) loan guarantee, the one deal type the real registry does not use.
    header, rows = read_rows(registry_copy, "deals.csv")
    row = dict(zip(header, rows[0]))
    row |= {
        "deal_id": "TEST-NVDA-CRWV-GUARANTEE", "buyer": "CoreWeave", "seller": "NVIDIA", "deal_type": "loan_guarantee",
        "amount_usd_bn": "1", "amount_basis": "exact", "capacity_gw": "", "overlap_group": "", "overlap_role": "",
    }
    write_rows(registry_copy, "deals.csv", header, [*rows, [row[c] for c in header]])
    database = tmp_path / "w.duckdb"
    materialize(registry_copy, database, session_instance)

    pairs = set(rows_of(database, "SELECT d.deal_type, f.kind FROM raw.deals d JOIN core.deal_flows f USING (deal_id)"))
    assert pairs == set(FLOW_KIND.items())
    # The guarantor (seller) backs the beneficiary (buyer).
    assert fetch_one(database, "SELECT payer, payee, kind FROM core.deal_flows WHERE deal_id = 'TEST-NVDA-CRWV-GUARANTEE'") == (
        "NVIDIA", "CoreWeave", "backstop"
    )


def test_core_companies_lists_aliases(loaded_warehouse):
    database, _ = loaded_warehouse
    assert fetch_one(database, "SELECT count(*) FROM core.companies") == (len(read_rows(REGISTRY, "companies.csv")[1]),)
    assert fetch_one(database, "SELECT aliases, ticker, listed FROM core.companies WHERE company = 'OpenAI'") == (
        ["OpenAI OpCo, LLC", "OpenAI Group PBC", "OpenAI Global, LLC", "OpenAI Inc."], None, False
    )
    assert fetch_one(database, "SELECT ticker, exchange, currency, sec_cik FROM core.companies WHERE company = 'SoftBank Group'") == (
        "9984.T", "TSE", "JPY", None
    )


def test_the_checks_catch_a_broken_deal_flows_table(warehouse_copy):
    database, _ = warehouse_copy
    with duckdb.connect(str(database)) as conn:
        conn.execute("UPDATE core.deal_flows SET payer = 'Nobody' WHERE deal_id = 'NVDA-INTC-2025-09'")
        conn.execute("UPDATE core.deal_flows SET counts_in_totals = true WHERE deal_id = 'NVDA-OAI-2025-09-LOI-EQUITY'")
        conn.execute("DELETE FROM core.deal_flows WHERE deal_id = 'CRWV-OAI-2025-05'")
    warehouse = WarehouseResource(database=str(database))

    parties = flow_parties_are_companies(warehouse=warehouse)
    assert not parties.passed and parties.metadata["failing_rows"].value == 1
    assert "NVDA-INTC-2025-09" in parties.metadata["rows"].value
    one_flow = one_flow_per_deal(warehouse=warehouse)
    assert not one_flow.passed and "CRWV-OAI-2025-05" in one_flow.metadata["rows"].value
    groups = overlap_groups_counted_once(warehouse=warehouse)
    assert not groups.passed and "NVDA-OAI-EQUITY" in groups.metadata["rows"].value


def test_the_registry_assets_load_as_a_code_location(tmp_path):
    defs = dg.Definitions(
        assets=REGISTRY_ASSETS,
        asset_checks=REGISTRY_CHECKS,
        resources={"warehouse": WarehouseResource(database=str(tmp_path / "w.duckdb")), "registry": RegistryResource()},
    )
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert keys == {f"raw/{spec.table}" for spec in FILES} | {"core/companies", "core/deal_flows"}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description and node.group_name == "registry", key
        assert "dagster/column_schema" in node.metadata, key
    assert RegistryResource().path == REGISTRY
