"""Properties of the re-specified model (issue 11) on the real registry: scenario ordering, delays,
paying every commitment, the LOI moving as one, and bad scenario files refused with their line."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from assets.simulation.draws import draw_paths
from assets.simulation.model import build_model, state_index
from assets.simulation.params import ScenarioError, read_scenarios
from assets.simulation.paths import simulate
from assets.simulation.run import run_scenario
from assets.simulation.scenario_inputs import scheduled_payments

from sim_testdata import QUIET, REGISTRY

CENT = 0.01 / 1e9  # one US cent in USD bn


@pytest.fixture(scope="module")
def runs(registry_inputs, scenarios):
    return {name: run_scenario(registry_inputs, params, name, n_paths=8192, seed=11).outcomes
            for name, params in scenarios.items()}


def _by_year(outcomes: pl.DataFrame, outcome: str) -> list[float]:
    return outcomes.filter(pl.col("outcome") == outcome).sort("month")["value"].to_list()


@pytest.mark.parametrize("outcome", ["p_outside_money_by", "outside_money_p50_by"])
def test_bull_needs_no_more_outside_money_than_base_nor_base_than_bear_in_any_year(runs, outcome):
    bull, base, bear = (np.array(_by_year(runs[s], outcome)) for s in ("bull", "base", "bear"))
    assert (bull <= base + 1e-12).all() and (base <= bear + 1e-12).all(), (bull, base, bear)


def test_revenue_and_compute_spend_are_ordered_as_the_scenarios_say(runs):
    # scenarios.csv: bull earns the most, bear the least; bear pays at least the base's compute every
    # year (more systems bought itself, dearer per GW), bull the least over the horizon.
    revenue = {s: np.array(_by_year(runs[s], "revenue_p50_in")) for s in runs}
    assert (revenue["bull"] >= revenue["base"]).all() and (revenue["base"] >= revenue["bear"]).all()
    spend = {s: np.array(_by_year(runs[s], "compute_spend_p50_in")) for s in runs}
    assert (spend["bear"] >= spend["base"]).all()
    assert spend["bull"].sum() <= spend["base"].sum()


def test_a_longer_delay_never_raises_revenue_capacity_or_gw_online_in_any_month(registry_inputs, scenarios):
    model = build_model(registry_inputs, scenarios["base"])
    for loi in (0, 1):
        states = state_index(loi, np.arange(model.max_delay + 1), model.max_delay)
        for table in (model.gw_online, model.capacity_revenue):
            columns = table[:, states]  # (M, D+1): delay grows to the right
            assert (np.diff(columns, axis=1) <= 1e-12).all()


def test_on_a_path_every_paid_deal_gets_exactly_its_schedule_and_nothing_more(registry_inputs, scenarios):
    params = scenarios["base"].override(delay_mean_months=0.0, nvidia_loi_probability=1.0)
    model = build_model(registry_inputs, params)
    paths = simulate(model, draw_paths(5, 0, 3, model.n_arpu_steps, model.n_amd_steps))
    scheduled = scheduled_payments(model)
    cloud = registry_inputs.cloud_payments.group_by("deal_id").agg(pl.col("amount_usd_bn").sum())
    for deal, amount in cloud.iter_rows():
        assert abs(scheduled[deal] - amount) < CENT, deal  # the registry's schedule inside the horizon
    gw = registry_inputs.deployments.filter(pl.col("month") >= registry_inputs.start_month).group_by(
        "deal_id", "supplier").agg(pl.col("gw").sum())
    for deal, supplier, total in gw.iter_rows():
        cost = getattr(params, f"{supplier.lower()}_cost_per_gw_usd_bn")
        assert abs(scheduled[deal] - params.own_capex_share * cost * total) < CENT, deal
    assert np.abs(paths.compute_spend.sum(axis=1) - sum(scheduled.values())).max() < CENT


def test_the_lois_gw_and_money_are_switched_off_together(registry_inputs, scenarios):
    model = build_model(registry_inputs, scenarios["base"])
    loi = model.deal_ids.index(registry_inputs.loi_deal)
    off = state_index(0, np.arange(model.max_delay + 1), model.max_delay)
    on = state_index(1, np.arange(model.max_delay + 1), model.max_delay)
    assert (model.deal_spend[loi][off] == 0).all() and (model.vendor_flow[:, off] == 0).all()
    assert model.deal_spend[loi][on].sum() > 0 and model.vendor_flow[:, on].sum() > 0
    assert (model.gw_online[:, on] >= model.gw_online[:, off] - 1e-12).all()


def test_amd_starts_from_the_latest_close_in_the_warehouse(registry_tables, registry_inputs):
    closes = registry_tables["amd_closes"].sort("trade_date")
    assert registry_inputs.amd_s0_usd == closes["close"][-1]


def test_cloud_payments_never_exceed_the_counted_deal(registry_tables, registry_inputs):
    amounts = dict(registry_tables["payment_models"].select("deal_id", "amount_usd_bn").iter_rows())
    for deal, paid in registry_inputs.cloud_payments.group_by("deal_id").agg(pl.col("amount_usd_bn").sum()).iter_rows():
        if amounts.get(deal) is not None:
            assert paid <= amounts[deal] + 1e-5, deal


def _write(tmp_path, change) -> str:
    text = (REGISTRY / "scenarios.csv").read_text().splitlines()
    path = tmp_path / "scenarios.csv"
    path.write_text("\n".join(change(text)) + "\n")
    return path


@pytest.mark.parametrize("change, message", [
    (lambda t: [l for l in t if not l.startswith("bear,own_capex_share")], "scenario 'bear' lacks parameters ['own_capex_share']"),
    (lambda t: t + ["base,free_lunch,1,0,2,share,assumption,,,because"], "scenarios.csv:56: parameter 'free_lunch'"),
    (lambda t: [l.replace("base,nvidia_loi_probability,0.25,0.0,0.5", "base,nvidia_loi_probability,1.5,0.0,0.5") for l in t],
     "scenarios.csv:9: nvidia_loi_probability value 1.5 is outside [0, 1]"),
])
def test_a_bad_scenarios_file_is_refused_naming_line_and_parameter(tmp_path, change, message):
    with pytest.raises(ScenarioError, match=None) as info:
        read_scenarios(_write(tmp_path, change))
    assert message in str(info.value)


def test_a_ceiling_below_todays_users_is_refused_naming_line_and_parameter(registry_inputs, scenarios):
    with pytest.raises(ScenarioError) as info:
        build_model(registry_inputs, scenarios["base"].override(user_ceiling_median_m=800.0))
    assert "user_ceiling_median_m 800 must exceed today's users" in str(info.value)


def test_quiet_parameters_are_valid():
    assert QUIET.delay_mean_months == 0.0


def test_a_payment_model_the_deal_does_not_allow_is_refused_naming_file_row_and_field(tmp_path):
    import shutil

    from assets.deals.rules import RegistryInvalid, load_registry
    from sim_testdata import REGISTRY_TODAY

    folder = tmp_path / "registry"
    shutil.copytree(REGISTRY, folder)
    lines = (folder / "deal_terms.csv").read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("AVGO-OAI-2025-10,payment_model,own_capex"))
    lines[row] = lines[row].replace(",payment_model,own_capex,", ",payment_model,equity,")
    (folder / "deal_terms.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(RegistryInvalid) as info:
        load_registry(folder, REGISTRY_TODAY)
    assert f"deal_terms.csv:{row + 1}" in str(info.value)
    assert "item" in str(info.value) and "a chip_supply deal cannot be paid as equity" in str(info.value)


def test_the_sensitivity_runs_the_same_paths_as_the_scenario_run(registry_inputs):
    from assets.simulation.run import run_sensitivity

    scenarios, ranges = read_scenarios(REGISTRY / "scenarios.csv")
    full = run_scenario(registry_inputs, scenarios["base"], "base", n_paths=8192, seed=3).outcomes
    swings = run_sensitivity(registry_inputs, scenarios["base"], ranges["base"], "base", n_paths=8192, seed=3)
    at_value = dict(swings.select("outcome", "at_value").unique().iter_rows())
    outcome = lambda name, year: full.filter(pl.col("outcome") == name, pl.col("month").dt.year() == year)["value"][0]  # noqa: E731
    assert at_value["outside_money_p50_by_2030"] == pytest.approx(outcome("outside_money_p50_by", 2030), rel=1e-12)
    assert at_value["p_outside_money_by_2028"] == pytest.approx(outcome("p_outside_money_by", 2028), rel=1e-12)
    assert set(swings["parameter"]) == set(scenarios["base"].names())
    assert (swings["swing"] >= 0).all()


def test_an_anchor_inside_the_history_is_the_reported_figure(registry_inputs, scenarios):
    from assets.simulation.anchors import anchor_comparison

    result = run_scenario(registry_inputs, scenarios["base"], "base", n_paths=2000, seed=1)
    anchors = pl.DataFrame({
        "anchor_id": ["T1", "T2"], "publisher": ["Test", "Test"], "quantity": ["cash_burn_annual", "outside_money_cumulative"],
        "period_start": ["2025-01", "2026-01"], "period_end": ["2025-12", "2027-12"], "value": [8.0, 50.0],
        "unit": ["USD bn"] * 2, "low": [None, None], "high": [None, None], "source_url": ["https://example.org"] * 2,
        "source_date": ["2026-01-01"] * 2, "definition": ["test"] * 2, "note": [None, None]})
    rows = anchor_comparison(anchors, result.summaries["base"], registry_inputs)
    burn = rows.filter(anchor_id="T1").row(0, named=True)
    assert burn["model_p05"] == burn["model_p95"] == 8.0  # 2025 is history: the reported cash burn (M038)
    outside = rows.filter(anchor_id="T2").row(0, named=True)
    expected = result.outcomes.filter(outcome="outside_money_p50_by", month=pl.date(2027, 12, 1))["value"][0]
    assert outside["model_p50"] == pytest.approx(expected)
    assert outside["ratio_model_to_anchor"] == pytest.approx(expected / 50.0)
