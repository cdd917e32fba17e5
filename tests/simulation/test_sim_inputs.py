"""Inputs come from the data: edit a registry figure and the inputs and scenario_inputs follow.

The inputs are built from a scratch warehouse of the (edited) registry (conftest.py); the full
Dagster graph does the same in tests/simulation/test_sim_warehouse.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date

import polars as pl
import pytest

from assets.simulation.months import period_months
from assets.simulation.params import ScenarioParams, load_scenarios
from assets.simulation.model import build_model
from assets.simulation.run import run_scenario
from assets.simulation.scenario_inputs import scenario_inputs

from sim_testdata import REGISTRY, ROOT


def edited_registry(tmp_path, file: str, key_column: str, key: str, column: str, value: str):
    """A copy of the registry with one cell changed (all rows whose key_column equals key)."""
    folder = tmp_path / "registry"
    if not folder.exists():
        shutil.copytree(REGISTRY, folder)
    frame = pl.read_csv(folder / file, infer_schema=False)
    assert key in frame[key_column].to_list()
    frame.with_columns(pl.when(pl.col(key_column) == key).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
                       ).write_csv(folder / file)
    return folder


def test_the_real_registry_gives_the_expected_inputs(registry_inputs):
    assert registry_inputs.start_month == date(2026, 4, 1)  # after the 2026-03-31 cash balance (M104)
    assert registry_inputs.n_months == 57
    assert registry_inputs.starting_cash_usd_bn == 73.0
    assert registry_inputs.vendor_financing_cap_usd_bn == 70.0  # 100 bn ceiling less the 30 bn equity
    inflows = dict(registry_inputs.equity_inflows.group_by("deal_id").agg(pl.col("amount_usd_bn").sum()).iter_rows())
    assert inflows == {"SFTB-OAI-2026-02-EQUITY": 30.0}  # the rest of the rounds closed before: in the cash
    deals = set(registry_inputs.cloud_payments["deal_id"])
    assert "ORCL-OAI-2025-09-300B" in deals and "ORCL-OAI-2025-07-STARGATE-4.5GW" not in deals  # one per overlap group
    assert "MSFT-OAI-2025-10-AZURE" in deals  # paid over its (assumed) delivery term, no longer left out
    assert registry_inputs.warrant_tranches["shares_m"].sum() == pytest.approx(160.0)
    noted = dict(registry_inputs.provenance.select("parameter", "value").iter_rows())
    assert noted["warrant_not_modelled:CBRS-OAI-2026-04-WARRANT"] is None  # a stake, no vesting conditions
    assert not any(p.startswith("payment_model_missing:") for p in noted)
    assert registry_inputs.provenance["estimated_from"].str.contains(
        r"^(raw\.|core\.|mart\.|assumption|paid as delivered|per GW deployed|money|shares|left out|a guarantee)").all()


@pytest.mark.parametrize(("file", "key_column", "key", "column", "value", "field", "expected"), [
    ("metrics.csv", "metric_id", "M104", "value", "25", "starting_cash_usd_bn", 25.0),
    ("metrics.csv", "metric_id", "M045", "value", "3", "arpu_level_usd", 3 * 0.6 * 1000 / 900),
    ("metrics.csv", "metric_id", "M038", "value", "9", "other_opex_usd_bn", 13.07 + 9),
    ("deal_terms.csv", "unit", "USD bn per GW", "value", "12", "vendor_financing_per_gw_usd_bn", 12.0),
])
def test_a_registry_edit_changes_the_inputs(tmp_path, build_inputs, registry_inputs, scenarios,
                                            file, key_column, key, column, value, field, expected):
    edited = build_inputs(edited_registry(tmp_path, file, key_column, key, column, value))
    assert getattr(edited, field) == pytest.approx(expected)
    assert getattr(edited, field) != pytest.approx(getattr(registry_inputs, field))
    before = scenario_inputs("base", registry_inputs, scenarios["base"], build_model(registry_inputs, scenarios["base"]), 1, 0)
    after = scenario_inputs("base", edited, scenarios["base"], build_model(edited, scenarios["base"]), 1, 0)
    assert not after.equals(before)


def test_a_smaller_oracle_contract_lowers_its_payments(tmp_path, build_inputs, registry_inputs):
    edited_registry(tmp_path, "deals.csv", "deal_id", "ORCL-OAI-2025-09-300B", "amount_usd_bn", "250")
    folder = edited_registry(tmp_path, "deal_terms.csv", "rule",  # the five payment_schedule rows only
                             "even split of the ~300 bn total over the stated ~5 years starting 2027", "value", "50")
    edited = build_inputs(folder)
    oracle = [inputs.cloud_payments.filter(deal_id="ORCL-OAI-2025-09-300B") for inputs in (registry_inputs, edited)]
    assert [frame["amount_usd_bn"].sum() for frame in oracle] == pytest.approx([240.0, 200.0])  # 2027-2030 inside
    in_2030 = [frame.filter(pl.col("month").dt.year() == 2030)["amount_usd_bn"].to_list() for frame in oracle]
    assert in_2030[0] == pytest.approx([5.0] * 12) and in_2030[1] == pytest.approx([50 / 12] * 12)
    row = edited.provenance.filter(parameter="payment_model:ORCL-OAI-2025-09-300B").row(0, named=True)
    assert row["value"] == pytest.approx(200.0) and row["source_or_assumption"].startswith("cloud_capacity")


def test_a_new_user_figure_moves_the_simulated_revenue(tmp_path, build_inputs, registry_inputs, scenarios):
    edited = build_inputs(edited_registry(tmp_path, "metrics.csv", "metric_id", "M023", "value", "950"))
    assert edited.user_history["users_m"].max() == 950.0
    runs = [run_scenario(inputs, scenarios["base"], "base", n_paths=1000, seed=1)
            for inputs in (registry_inputs, edited)]
    revenue = [r.path_quantiles.filter(metric="revenue", month=date(2030, 12, 1))["p50"][0] for r in runs]
    assert revenue[0] != revenue[1]


def test_scenarios_file_gives_every_parameter_a_source(scenarios):
    assert list(scenarios) == ["base", "bull", "bear"]
    for params in scenarios.values():
        assert set(params.sources) == set(ScenarioParams.names())
        assert all(s.startswith(("stated: http", "derived: http", "assumption: ")) for s in params.sources.values())


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: f.filter(pl.col("parameter") != "amd_drift_scale"), "lacks"),
    (lambda f: f.with_columns(value=pl.when(pl.col("parameter") == "own_capex_share").then(pl.lit("2"))
                              .otherwise("value")), "own_capex_share value 2 is outside"),
    (lambda f: f.with_columns(reason=pl.when(pl.col("basis") == "assumption").then(pl.lit(None))
                              .otherwise("reason")), "needs a reason"),
    (lambda f: f.with_columns(source_url=pl.lit(None)), "needs its source"),
    (lambda f: f.with_columns(unit=pl.lit("bananas")), "is in"),
    (lambda f: f.with_columns(parameter=pl.lit("unknown_knob")), "not one of"),
])
def test_a_bad_scenarios_file_is_refused_with_the_line(tmp_path, change, message):
    path = tmp_path / "scenarios.csv"
    change(pl.read_csv(REGISTRY / "scenarios.csv", infer_schema=False)).write_csv(path)
    with pytest.raises(ValueError, match=message):
        load_scenarios(path)


@pytest.mark.parametrize(("period", "first", "last"), [
    ("2026", "2026-01", "2026-12"), ("2026-H2", "2026-07", "2026-12"), ("2025-Q3", "2025-07", "2025-09"),
    ("2025-06-30", "2025-06", "2025-06"), ("FY2028", "2027-06", "2028-05"), ("2026-H2/2029-12", "2026-07", "2029-12"),
])
def test_registry_periods_become_month_spans(period, first, last):
    as_number = lambda text: int(text[:4]) * 12 + int(text[5:]) - 1  # noqa: E731
    assert period_months(period) == (as_number(first), as_number(last))


def test_the_engine_imports_neither_dagster_nor_duckdb():
    code = ("import sys, assets.simulation, assets.simulation.run; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dagster', 'duckdb')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
