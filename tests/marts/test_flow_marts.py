"""The flow marts (vendor_financing, capital_cycles, deal_reactions, warrant_tranches).

Part one: the real registry and the bundled snapshot prices, materialized with Dagster into the
session warehouse of tests/marts/conftest.py, with asserted real values, the asset checks and the
example queries of sql/queries/ (run through the DuckDB CLI, read-only, as the README shows).

Part two: small hand-made registries written straight into raw tables of an in-memory DuckDB, run
through the real core SQL and the mart SQL (assets.warehouse.run), for the edge cases: no cycle, a
two-edge cycle with overlapping deals, a missing price day, a Saturday and an after-close
announcement, a listing outside the US, thresholds taken from registry rows, and checks that fail
on tampered tables.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.marts.flows import FLOW_MART_ASSETS, FLOW_MART_CHECKS
from assets.warehouse import WarehouseResource, apply_ddl, query, run
from tests.marts.conftest import materialize_marts

MARTS = ["warrant_tranches", "vendor_financing", "capital_cycles", "deal_reactions"]
CHECKS = sorted(
    [
        "capital_cycles_amounts",
        "capital_cycles_edges_exist",
        "deal_reactions_recompute",
        "vendor_financing_amounts",
        "vendor_financing_overlaps",
        "warrant_tranches_amounts",
        "warrant_tranches_total",
    ]
)
QUERIES = ["cycles_with_amounts", "reactions_by_value_added", "amd_warrant_distance"]


# --- the real registry and prices ------------------------------------------------------------------


@pytest.fixture(scope="module")
def flow_marts(base_warehouse: Path, mart_instance: dg.DagsterInstance) -> tuple[Path, dg.ExecuteInProcessResult]:
    result = materialize_marts([*FLOW_MART_ASSETS, *FLOW_MART_CHECKS], base_warehouse, mart_instance)
    assert result.success, "the flow marts failed to materialize"
    return base_warehouse, result


@pytest.fixture(scope="module")
def db(flow_marts) -> duckdb.DuckDBPyConnection:
    warehouse, _ = flow_marts
    conn = duckdb.connect(str(warehouse), read_only=True)
    yield conn
    conn.close()


def rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    return conn.sql(sql, params=params or []).pl().to_dicts()


def test_every_flow_mart_and_check_ran_and_passed(flow_marts):
    _, result = flow_marts
    built = {m.asset_key.path[-1]: m.materialization.metadata for m in result.get_asset_materialization_events()}
    assert sorted(built) == sorted(MARTS)
    assert all(meta["dagster/row_count"].value > 0 for meta in built.values())
    checks = {(e.asset_key.path[-1], e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        ("capital_cycles", "cycle_edges_exist"): True,
        ("capital_cycles", "no_negative_amounts"): True,
        ("vendor_financing", "no_negative_amounts"): True,
        ("vendor_financing", "no_deal_counted_twice"): True,
        ("deal_reactions", "reactions_recompute_from_prices"): True,
        ("warrant_tranches", "no_negative_amounts"): True,
        ("warrant_tranches", "tranches_add_up_to_the_warrant"): True,
    }


def test_declared_column_types_are_the_built_ones(db):
    """sql_table_asset checks the column names; the UI's column schema should also give the real types."""
    for asset in FLOW_MART_ASSETS:
        schema, name = asset.key.path
        declared = {c.name: c.type for c in asset.specs_by_key[asset.key].metadata["dagster/column_schema"].columns}
        built = dict(db.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchall())
        assert declared == built, name


def test_flow_marts_load_as_definitions():
    defs = dg.Definitions(
        assets=FLOW_MART_ASSETS, asset_checks=FLOW_MART_CHECKS, resources={"warehouse": WarehouseResource(database=":memory:")}
    )
    dg.Definitions.validate_loadable(defs)
    keys = {key.to_user_string() for key in defs.resolve_all_asset_keys()}
    assert {f"mart/{m}" for m in MARTS} <= keys


@pytest.mark.parametrize(
    ("ticker", "event_date", "deal_id", "return_day0"),
    [
        ("AMD", "2025-10-06", "AMD-OAI-2025-10-SUPPLY", 0.2371),
        ("ORCL", "2025-09-10", "ORCL-OAI-2025-09-300B", 0.3595),
        ("NVDA", "2025-09-22", "NVDA-OAI-2025-09-LOI-EQUITY", 0.0393),
        ("AVGO", "2025-10-13", "AVGO-OAI-2025-10", 0.0988),
    ],
)
def test_real_reactions(db, ticker, event_date, deal_id, return_day0):
    (row,) = rows(db, "SELECT * FROM mart.deal_reactions WHERE deal_id = ? AND ticker = ?", [deal_id, ticker])
    assert row["event_date"] == date.fromisoformat(event_date)
    assert round(row["return_day0"], 4) == return_day0
    # the traded close gives the same 4 decimals on these days (no dividend goes ex)
    assert round(row["close"] / row["prev_close"] - 1, 4) == return_day0
    assert row["price_status"] == "ok"
    assert row["abnormal_return_day0_spy"] == pytest.approx(row["return_day0"] - row["spy_return_day0"])
    assert row["abnormal_return_day0_qqq"] == pytest.approx(row["return_day0"] - row["qqq_return_day0"])


def test_oracle_jump_belongs_to_the_300bn_report_on_its_day(db):
    (row,) = rows(db, "SELECT * FROM mart.deal_reactions WHERE deal_id = 'ORCL-OAI-2025-09-300B'")
    assert (row["ticker"], row["event_timing"], row["announced_on"], row["event_date"]) == (
        "ORCL", "during_session", date(2025, 9, 10), date(2025, 9, 10)
    )
    assert (row["prev_close"], row["close"]) == (241.51, 328.33)


def test_amd_three_sessions_and_nvidia_value_added(db):
    (amd,) = rows(db, "SELECT * FROM mart.deal_reactions WHERE deal_id = 'AMD-OAI-2025-10-WARRANT'")
    assert round(amd["return_cum_0_2"], 2) == 0.43  # "+43 %" was over three sessions, Oct 6-8
    assert amd["event_deal_ids"] == ["AMD-OAI-2025-10-SUPPLY", "AMD-OAI-2025-10-WARRANT"]
    assert amd["market_value_added_usd_bn"] is None  # no share count for AMD in the registry
    (nvda,) = rows(db, "SELECT * FROM mart.deal_reactions WHERE deal_id = 'NVDA-OAI-2025-09-LOI-EQUITY'")
    expected = 24100 * 176.67 * nvda["return_day0"] / 1000  # 24,100 M shares x prev close x return
    assert nvda["market_value_added_usd_bn"] == pytest.approx(expected)
    assert round(nvda["market_value_added_usd_bn"], 1) == 167.3
    assert round(nvda["value_added_per_usd_announced"], 2) == 1.67  # per USD of the up-to-100 bn


def test_reactions_cover_every_listed_party(db):
    statuses = dict(db.execute("SELECT price_status, count(*) FROM mart.deal_reactions GROUP BY ALL").fetchall())
    assert statuses == {"ok": 35, "not_listed_yet": 2, "beyond_price_coverage": 1}
    # CoreWeave listed on 2025-03-28, after its first OpenAI contract; 9984.T prices end 2026-02-06
    assert rows(db, "SELECT deal_id FROM mart.deal_reactions WHERE price_status = 'not_listed_yet' ORDER BY 1") == [
        {"deal_id": "CRWV-OAI-2025-03-MSA"},
        {"deal_id": "OAI-CRWV-2025-03-EQUITY"},
    ]


def test_nvidia_openai_oracle_cycle(db):
    (cycle,) = rows(db, "SELECT * FROM mart.capital_cycles WHERE path = 'NVIDIA -> OpenAI -> Oracle -> NVIDIA'")
    assert cycle["cycle_id"] == "NVIDIA>OpenAI>Oracle"
    assert cycle["n_edges"] == 3
    assert cycle["deal_ids"] == [
        "NVDA-OAI-2025-09-LOI-EQUITY",
        "NVDA-OAI-2026-02-EQUITY",
        "ORCL-OAI-2025-07-STARGATE-4.5GW",
        "ORCL-OAI-2025-09-300B",
        "ORCL-NVDA-2025-ABILENE",
    ]
    # counted flows only: 30 (not 100 + 30), 300 (not the overlapping 4.5 GW row), 40
    assert cycle["edge_amounts_usd_bn"] == [30.0, 300.0, 40.0]
    assert (cycle["bottleneck_usd_bn"], cycle["bottleneck_edge"]) == (30.0, "NVIDIA -> OpenAI")
    assert cycle["all_edges_confirmed"] is False
    assert cycle["press_only_edges"] == ["Oracle -> NVIDIA"]


def test_cycles_are_listed_once_and_canonically(db):
    found = rows(db, "SELECT cycle_id, nodes, n_edges FROM mart.capital_cycles")
    assert len({c["cycle_id"] for c in found}) == len(found) == 11
    for c in found:
        assert 2 <= c["n_edges"] <= 5 and c["nodes"][0] == min(c["nodes"])
    two = {c["cycle_id"] for c in found if c["n_edges"] == 2}
    assert {"Amazon>OpenAI", "Microsoft>OpenAI", "NVIDIA>OpenAI", "AMD>OpenAI"} <= two


def test_amd_warrant_tranches(db):
    tranches = rows(db, "SELECT * FROM mart.warrant_tranches WHERE deal_id = 'AMD-OAI-2025-10-WARRANT' ORDER BY tranche_no")
    assert [t["tranche"] for t in tranches] == [f"tranche_{k}" for k in range(1, 7)]
    assert [t["price_condition_usd"] for t in tranches] == [100.0, 200.0, 300.0, 400.0, 500.0, 600.0]
    assert [t["deployment_condition_gw"] for t in tranches] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert sum(t["shares_m"] for t in tranches) == pytest.approx(160, abs=1e-4)
    assert {t["total_shares_m"] for t in tranches} == {160.0}
    assert all(t["counts_in_totals"] and t["strike_usd"] == 0.01 for t in tranches)
    last = tranches[-1]
    assert "price_condition_usd" not in last["assumed_terms"]  # 600 USD is stated; 100..500 are assumptions
    assert all("price_condition_usd" in t["assumed_terms"] for t in tranches[:-1])
    assert tranches[0]["assumption_reason"].startswith("ASSUMPTION:")
    assert (last["latest_close_date"], last["latest_close"]) == (date(2026, 5, 29), 516.10)
    assert [t["price_condition_met"] for t in tranches] == [True] * 5 + [False]
    assert round(last["distance_to_price_condition_return"], 4) == 0.1626  # 600 / 516.10 - 1
    assert sum(t["intrinsic_value_usd_bn"] for t in tranches) == pytest.approx(160 * (516.10 - 0.01) / 1000, rel=1e-6)


def test_thresholds_are_the_registry_rows(db):
    """Every price and GW condition in the mart is a value of raw.deal_terms for that deal and tranche."""
    mismatches = db.execute(
        """
        SELECT m.deal_id, m.tranche FROM mart.warrant_tranches m
        LEFT JOIN raw.deal_terms p ON p.deal_id = m.deal_id AND p.item = m.tranche AND p.unit = 'price_condition_usd'
        LEFT JOIN raw.deal_terms g ON g.deal_id = m.deal_id AND g.item = m.tranche AND g.unit = 'gw_condition'
        WHERE m.price_condition_usd IS DISTINCT FROM p.value OR m.deployment_condition_gw IS DISTINCT FROM g.value
        """
    ).fetchall()
    assert mismatches == []


def test_meta_and_cerebras_warrants(db):
    meta = {t["tranche"]: t for t in rows(db, "SELECT * FROM mart.warrant_tranches WHERE deal_id = 'META-AMD-2026-02-WARRANT'")}
    assert set(meta) == {"tranche_1", "total"}  # only warrant-level terms and tranche 1's 1 GW are stated
    assert (meta["total"]["shares_m"], meta["total"]["price_condition_usd"], meta["total"]["counts_in_totals"]) == (160.0, 600.0, True)
    assert meta["tranche_1"]["counts_in_totals"] is False
    (cbrs,) = rows(db, "SELECT * FROM mart.warrant_tranches WHERE deal_id = 'CBRS-OAI-2026-04-WARRANT'")
    assert (cbrs["ticker"], cbrs["max_stake_share"], cbrs["intrinsic_value_usd_bn"]) == (None, 0.10, None)


def test_vendor_financing(db):
    pairs = {(r["supplier"], r["customer"]): r for r in rows(db, "SELECT * FROM mart.vendor_financing")}
    amazon = pairs[("Amazon", "OpenAI")]
    assert (amazon["financing_usd_bn"], amazon["commitments_usd_bn"], amazon["round_trip_ratio"]) == (50.0, 100.0, 0.5)
    assert amazon["not_summed_deal_ids"] == ["AWS-OAI-2025-11"]
    nvidia = pairs[("NVIDIA", "OpenAI")]
    assert nvidia["equity_usd_bn"] == 30.0  # the executed 30 bn, never the LOI's 100 on top
    assert nvidia["not_summed_deal_ids"] == ["NVDA-OAI-2025-09-LOI-EQUITY"]
    assert nvidia["round_trip_ratio"] is None and nvidia["undisclosed_deal_ids"] == ["NVDA-OAI-2025-09-LOI-SYSTEMS"]
    amd = pairs[("AMD", "OpenAI")]
    assert amd["warrant_value_usd_bn"] == pytest.approx(160 * (516.10 - 0.01) / 1000, rel=1e-6)
    assert amd["warrant_value_date"] == date(2026, 5, 29)
    assert round(pairs[("Microsoft", "OpenAI")]["round_trip_ratio"], 3) == 0.052
    assert pairs[("Oracle", "OpenAI")]["commitments_usd_bn"] == 300.0
    assert ("NVIDIA", "Intel") not in pairs  # financing without a purchase commitment is not vendor financing


def _cli(warehouse: Path, sql_file: str) -> pl.DataFrame:
    cli = os.path.join(os.path.dirname(sys.executable), "duckdb")
    text = (Path(__file__).parents[2] / "sql" / "queries" / sql_file).read_text()
    out = subprocess.run([cli, "-readonly", "-csv", str(warehouse), "-c", text], capture_output=True, text=True, check=True, timeout=30)
    return pl.read_csv(io.StringIO(out.stdout), infer_schema=False)


@pytest.mark.parametrize("name", QUERIES)
def test_example_queries_run(flow_marts, name):
    """Each example query runs in Python and in the DuckDB CLI (read-only) with the same rows."""
    warehouse, _ = flow_marts
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        frame = query(conn, f"queries/{name}.sql")
    assert frame.height > 0
    assert _cli(warehouse, f"{name}.sql").height == frame.height
    if name == "cycles_with_amounts":
        assert frame.row(1, named=True)["path"] == "NVIDIA -> OpenAI -> Oracle -> NVIDIA"
        assert frame.row(1, named=True)["bottleneck_usd_bn"] == 30.0
    elif name == "reactions_by_value_added":
        top = frame.row(0, named=True)
        assert (top["deal_id"], top["value_added_usd_bn"], top["return_day0"]) == ("NVDA-OAI-2025-09-LOI-EQUITY", 167.3, 0.0393)
    else:
        assert frame["price_condition_usd"].to_list() == [100.0, 200.0, 300.0, 400.0, 500.0, 600.0]
        assert frame["distance_return"].to_list()[-1] == 0.1626
        assert frame["price_condition_met"].to_list() == [True] * 5 + [False]


# --- hand-made registries ------------------------------------------------------------------------

SOURCE = "https://example.org/deal"


def company(name: str, ticker: str | None = None, *, exchange: str | None = "NASDAQ", currency: str = "USD", shares_m: float | None = None) -> dict:
    return {
        "company": name, "aliases": None, "ticker": ticker, "exchange": exchange if ticker else None,
        "currency": currency, "sec_cik": None, "listed": ticker is not None, "shares_outstanding_m": shares_m,
        "shares_outstanding_date": date(2025, 1, 31) if shares_m else None,
        "shares_source_url": SOURCE if shares_m else None, "note": None, "loaded_from": f"companies.csv:{name}",
    }


def deal(deal_id: str, buyer: str, seller: str, deal_type: str, amount: float | None, announced: str = "2025-10-06", *,
         timing: str = "unknown", group: str | None = None, role: str | None = None,
         confidence: str = "confirmed_press_release") -> dict:
    return {
        "deal_id": deal_id, "announced_on": date.fromisoformat(announced), "announced_precision": "day", "buyer": buyer, "seller": seller,
        "deal_type": deal_type, "amount_usd_bn": amount, "amount_basis": "exact" if amount is not None else None,
        "capacity_gw": None, "start_period": None, "end_period": None, "overlap_group": group, "overlap_role": role,
        "event_timing": timing, "terms": "test deal", "source_publisher": "test", "source_url": SOURCE,
        "source_document": None, "source_date": date.fromisoformat(announced), "confidence": confidence,
        "loaded_from": f"deals.csv:{deal_id}",
    }


def term(deal_id: str, item: str, unit: str, value: float, basis: str = "stated") -> dict:
    return {
        "deal_id": deal_id, "term_type": "warrant_tranche", "item": item, "period": None, "value": value, "unit": unit,
        "basis": basis, "rule": None, "source_url": SOURCE, "source_document": None, "source_date": date(2025, 10, 6),
        "note": f"ASSUMPTION: {unit} of {item} chosen for the test" if basis == "assumption" else None,
        "loaded_from": f"deal_terms.csv:{deal_id}:{item}:{unit}",
    }


def bars(ticker: str, closes: dict[str, float], currency: str = "USD") -> list[dict]:
    return [
        {"ticker": ticker, "trade_date": date.fromisoformat(d), "open": c, "high": c, "low": c, "close": c,
         "adj_close": None, "volume": 1, "currency": currency, "source": "test", "fetched_at": "2025-12-01 00:00:00+00"}
        for d, c in closes.items()
    ]


def weekdays(first: str, n: int, start: float = 100.0, step: float = 1.0, skip: tuple[str, ...] = ()) -> dict[str, float]:
    """n weekdays from `first` (skipping `skip`), closes start, start+step, ..."""
    out, day, price = {}, date.fromisoformat(first), start
    while len(out) < n:
        if day.weekday() < 5 and day.isoformat() not in skip:
            out[day.isoformat()] = round(price, 6)
            price += step
        day += timedelta(days=1)
    return out


def build(companies: list[dict], deals: list[dict], terms: list[dict] = (), prices: list[dict] = ()) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse: raw tables from the rows, then the real core and mart SQL."""
    conn = duckdb.connect()
    apply_ddl(conn)
    for table, data in [("companies", companies), ("deals", deals), ("deal_terms", terms), ("share_prices", prices)]:
        if data:
            conn.register("frame", pl.DataFrame(list(data), infer_schema_length=None))
            conn.execute(f"INSERT INTO raw.{table} BY NAME SELECT * FROM frame")
            conn.unregister("frame")
    for name in ["core/companies.sql", "core/deal_flows.sql", "core/prices.sql", *(f"mart/{m}.sql" for m in MARTS)]:
        run(conn, name)
    return conn


def failing_checks(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {name: query(conn, f"checks/{name}.sql").height for name in CHECKS if query(conn, f"checks/{name}.sql").height}


def table(conn: duckdb.DuckDBPyConnection, name: str, order: str) -> list[dict]:
    return conn.sql(f"SELECT * FROM mart.{name} ORDER BY {order}").pl().to_dicts()


def test_no_cycle():
    conn = build(
        [company("Alpha"), company("Beta"), company("Gamma")],
        [deal("A-B", "Alpha", "Beta", "equity_investment", 5), deal("B-C", "Beta", "Gamma", "cloud_contract", 8)],
    )
    assert table(conn, "capital_cycles", "cycle_id") == []
    (pair,) = table(conn, "vendor_financing", "supplier")
    assert (pair["supplier"], pair["customer"], pair["financing_usd_bn"], pair["commitments_usd_bn"], pair["round_trip_ratio"]) == (
        "Gamma", "Beta", 0, 8.0, 0.0
    )
    assert failing_checks(conn) == {}


def two_edge_registry() -> duckdb.DuckDBPyConnection:
    return build(
        [company("Supplier"), company("Buyer")],
        [
            deal("S-B-LOI", "Supplier", "Buyer", "equity_investment", 100, group="G", role="overlaps"),
            deal("S-B-EQUITY", "Supplier", "Buyer", "equity_investment", 10, group="G", role="counted"),
            deal("B-S-1", "Buyer", "Supplier", "chip_supply", 40, confidence="reported_by_press"),
            deal("B-S-2", "Buyer", "Supplier", "cloud_contract", 5, confidence="reported_by_press"),
        ],
    )


def test_two_edge_cycle_with_overlapping_deals():
    conn = two_edge_registry()
    (cycle,) = table(conn, "capital_cycles", "cycle_id")
    assert (cycle["cycle_id"], cycle["path"], cycle["n_edges"]) == ("Buyer>Supplier", "Buyer -> Supplier -> Buyer", 2)
    # one row for the pair-path with every deal; edge amounts: 40 + 5 (distinct contracts), 10 (not 110)
    assert cycle["deal_ids"] == ["B-S-1", "B-S-2", "S-B-EQUITY", "S-B-LOI"]
    assert cycle["edge_amounts_usd_bn"] == [45.0, 10.0]
    assert (cycle["bottleneck_usd_bn"], cycle["bottleneck_edge"]) == (10.0, "Supplier -> Buyer")
    assert (cycle["all_edges_confirmed"], cycle["press_only_edges"]) == (False, ["Buyer -> Supplier"])
    (pair,) = table(conn, "vendor_financing", "supplier")
    assert (pair["financing_usd_bn"], pair["commitments_usd_bn"]) == (10.0, 45.0)
    assert pair["round_trip_ratio"] == pytest.approx(10 / 45)
    assert (pair["financing_deal_ids"], pair["not_summed_deal_ids"]) == (["S-B-EQUITY"], ["S-B-LOI"])
    assert failing_checks(conn) == {}


def test_cycle_starts_at_its_smallest_company_and_unknown_amount_gives_no_bottleneck():
    conn = build(
        [company("Zeta"), company("Alpha"), company("Mid")],
        [
            deal("Z-A", "Zeta", "Alpha", "equity_investment", 3),
            deal("A-M", "Alpha", "Mid", "cloud_contract", None),
            deal("M-Z", "Mid", "Zeta", "chip_supply", 7),
        ],
    )
    (cycle,) = table(conn, "capital_cycles", "cycle_id")
    assert (cycle["path"], cycle["edge_amounts_usd_bn"]) == ("Alpha -> Mid -> Zeta -> Alpha", [None, 7.0, 3.0])
    assert cycle["bottleneck_usd_bn"] is None
    assert failing_checks(conn) == {}


def test_checks_catch_a_broken_cycle_and_a_double_count():
    conn = two_edge_registry()
    conn.execute("UPDATE mart.capital_cycles SET nodes = ['Buyer', 'Nobody']")
    conn.execute("UPDATE mart.vendor_financing SET financing_deal_ids = ['S-B-EQUITY', 'S-B-LOI']")
    failing = failing_checks(conn)
    assert set(failing) == {"capital_cycles_edges_exist", "vendor_financing_overlaps"}
    problems = query(conn, "checks/vendor_financing_overlaps.sql")["problem"].to_list()
    assert "overlap group summed more than once" in problems
    assert "summed although not counted in totals" in problems


def reactions_registry(deals: list[dict], skip: tuple[str, ...] = ()) -> duckdb.DuckDBPyConnection:
    # 2025-09-29 (Mon) .. ; XYZ lacks the bars in `skip`, SPY/QQQ trade every weekday
    return build(
        [company("Xyz Corp", "XYZ", shares_m=1000), company("Other")],
        deals,
        prices=[
            *bars("XYZ", weekdays("2025-09-29", 12, skip=skip)),
            *bars("SPY", weekdays("2025-09-29", 12, start=500, step=5)),
            *bars("QQQ", weekdays("2025-09-29", 12, start=400, step=-2)),
        ],
    )


def test_saturday_and_after_close_announcements_move_to_the_next_session():
    conn = reactions_registry(
        [
            deal("SAT", "Other", "Xyz Corp", "chip_supply", 10, "2025-10-04", timing="before_open"),
            deal("FRI-AFTER", "Other", "Xyz Corp", "chip_supply", 10, "2025-10-03", timing="after_close"),
            deal("FRI-OPEN", "Other", "Xyz Corp", "chip_supply", 10, "2025-10-03", timing="during_session"),
        ]
    )
    found = {r["deal_id"]: r for r in table(conn, "deal_reactions", "deal_id")}
    assert found["SAT"]["event_date"] == date(2025, 10, 6)  # Saturday -> Monday
    assert found["FRI-AFTER"]["event_date"] == date(2025, 10, 6)  # after Friday's close -> Monday
    assert found["FRI-OPEN"]["event_date"] == date(2025, 10, 3)
    sat = found["SAT"]
    # closes 100, 101, ... on the weekdays from 2025-09-29: Friday 10-03 = 104, Monday 10-06 = 105
    assert (sat["prev_trade_date"], sat["prev_close"], sat["close"]) == (date(2025, 10, 3), 104.0, 105.0)
    assert sat["return_day0"] == pytest.approx(105 / 104 - 1)
    assert sat["return_cum_0_2"] == pytest.approx(107 / 104 - 1)
    assert sat["return_cum_0_4"] == pytest.approx(109 / 104 - 1)
    assert sat["abnormal_return_day0_spy"] == pytest.approx(105 / 104 - 525 / 520)
    assert sat["abnormal_return_day0_qqq"] == pytest.approx(105 / 104 - 390 / 392)
    assert sat["market_value_added_usd_bn"] == pytest.approx(1000 * 104 * (105 / 104 - 1) / 1000)  # 1.0
    assert sat["value_added_per_usd_announced"] == pytest.approx(0.1)
    assert sat["event_deal_ids"] == ["FRI-AFTER", "SAT"]
    assert failing_checks(conn) == {}


def test_a_missing_price_day_gives_no_return_instead_of_a_two_day_one():
    conn = reactions_registry(
        [
            deal("ON-GAP", "Other", "Xyz Corp", "chip_supply", 1, "2025-10-08"),
            deal("AFTER-GAP", "Other", "Xyz Corp", "chip_supply", 1, "2025-10-09"),
            deal("BEFORE-GAP", "Other", "Xyz Corp", "chip_supply", 1, "2025-10-06"),
        ],
        skip=("2025-10-08",),
    )
    found = {r["deal_id"]: r for r in table(conn, "deal_reactions", "deal_id")}
    assert (found["ON-GAP"]["event_date"], found["ON-GAP"]["price_status"], found["ON-GAP"]["return_day0"]) == (
        date(2025, 10, 8), "missing_price_day", None
    )
    assert (found["AFTER-GAP"]["price_status"], found["AFTER-GAP"]["return_day0"]) == ("missing_previous_day", None)
    before = found["BEFORE-GAP"]
    assert before["price_status"] == "ok" and before["return_day0"] is not None
    assert before["return_cum_0_2"] is None and before["return_cum_0_4"] is None  # sessions 0..2 span the gap
    assert failing_checks(conn) == {}


def test_a_tokyo_listing_reacts_the_session_after_us_news():
    conn = build(
        [company("Tokyo Co", "9999.T", exchange="TSE", currency="JPY", shares_m=10), company("Other")],
        [
            deal("TIMED", "Tokyo Co", "Other", "equity_investment", 1, "2025-10-06", timing="before_open"),
            deal("UNTIMED", "Tokyo Co", "Other", "equity_investment", 1, "2025-10-06"),
        ],
        prices=bars("9999.T", weekdays("2025-09-29", 10, start=1000, step=10), currency="JPY"),
    )
    found = {r["deal_id"]: r for r in table(conn, "deal_reactions", "deal_id")}
    assert found["TIMED"]["event_date"] == date(2025, 10, 7)  # US pre-market is after Tokyo's close
    assert found["UNTIMED"]["event_date"] == date(2025, 10, 6)
    timed = found["TIMED"]
    assert timed["currency"] == "JPY" and timed["return_day0"] == pytest.approx(1060 / 1050 - 1)  # 10-06 1050 -> 10-07 1060
    # no FX rate in the warehouse, no US benchmark for a Tokyo session
    assert (timed["market_value_added_usd_bn"], timed["abnormal_return_day0_spy"]) == (None, None)


def test_reaction_check_catches_a_wrong_return():
    conn = reactions_registry([deal("SAT", "Other", "Xyz Corp", "chip_supply", 10, "2025-10-04")])
    conn.execute("UPDATE mart.deal_reactions SET return_cum_0_4 = return_cum_0_4 + 0.001")
    assert query(conn, "checks/deal_reactions_recompute.sql")["measure"].to_list() == ["return_cum_0_4"]


def test_warrant_thresholds_come_from_the_registry():
    conn = build(
        [company("Issuer", "ISS"), company("Holder")],
        [
            deal("W", "Holder", "Issuer", "warrant", None),
            deal("SUPPLY", "Holder", "Issuer", "chip_supply", 20),
        ],
        terms=[
            term("W", "total", "shares_m", 20),
            term("W", "tranche_1", "shares_m", 10),
            term("W", "tranche_1", "price_condition_usd", 80, basis="assumption"),
            term("W", "tranche_1", "strike_usd", 1),
            term("W", "tranche_2", "shares_m", 10),
            term("W", "tranche_2", "price_condition_usd", 250),
            term("W", "tranche_2", "gw_condition", 2),
            term("W", "tranche_2", "strike_usd", 1),
        ],
        prices=bars("ISS", {"2025-10-06": 90.0, "2025-10-07": 100.0}),
    )
    t1, t2 = table(conn, "warrant_tranches", "tranche_no")
    assert (t1["price_condition_usd"], t1["basis"], t1["assumed_terms"]) == (80.0, "assumption", ["price_condition_usd"])
    assert t1["assumption_reason"].startswith("ASSUMPTION:")
    assert (t1["price_condition_met"], t1["distance_to_price_condition_return"]) == (True, pytest.approx(-0.2))
    assert (t2["price_condition_usd"], t2["deployment_condition_gw"], t2["basis"]) == (250.0, 2.0, "stated")
    assert (t2["price_condition_met"], t2["distance_to_price_condition_return"]) == (False, pytest.approx(1.5))
    assert t1["intrinsic_value_usd_bn"] == pytest.approx(10 * 99 / 1000)
    assert (t1["latest_close_date"], t1["latest_close"]) == (date(2025, 10, 7), 100.0)
    (pair,) = table(conn, "vendor_financing", "supplier")
    assert pair["warrant_value_usd_bn"] == pytest.approx(20 * 99 / 1000)
    assert pair["round_trip_ratio"] == pytest.approx(20 * 99 / 1000 / 20)
    assert failing_checks(conn) == {}


def test_queries_have_header_comments():
    folder = Path(__file__).parents[2] / "sql" / "queries"
    for name in QUERIES:
        first = (folder / f"{name}.sql").read_text().splitlines()[0]
        assert first.startswith("-- "), name
