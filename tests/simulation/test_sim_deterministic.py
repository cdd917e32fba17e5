"""Zero volatility and no delays: every path is the deterministic path, computed here by hand.

The expected path is written out month by month from the toy inputs (tests/simulation/conftest.py)
with plain Python arithmetic, independent of the engine's code.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from assets.simulation.draws import draw_paths
from assets.simulation.model import build_model
from assets.simulation.paths import simulate
from assets.simulation.run import run_scenario

from sim_testdata import QUIET, toy_inputs

MONTHS = 24  # 2026-01 .. 2027-12; m = 0 is 2026-01


def logit(u: float, ceiling: float) -> float:
    return math.log(u / (ceiling - u))


def expected_path() -> dict[str, list[float]]:
    """The toy model by hand (see conftest.toy_inputs for the figures)."""
    ceiling = 300.0  # median ceiling, no spread
    history = [(-7, 100.0), (-4, 140.0), (-1, 160.0)]  # 2025-06, 2025-09, 2025-12 relative to 2026-01
    anchor = logit(160.0, ceiling)
    xs = [t - (-1) for t, _ in history[:-1]]
    ys = [logit(u, ceiling) - anchor for _, u in history[:-1]]
    rate = sum(x * y for x, y in zip(xs, ys)) / sum(x * x for x in xs)
    arpu_drift = math.log(1.1) / 11  # 1.0 (2025-01) -> 1.1 (2025-12)

    def personal_share(m: int) -> float:  # months since 2025-10: 0.8 -> 0.7 at +6, -> 0.5 at +14, then flat
        k = m + 3
        if k <= 6:
            return 0.8 - 0.1 * k / 6
        return max(0.5, 0.7 - 0.2 * (k - 6) / 8)

    out = {key: [] for key in ("users", "arpu", "revenue", "compute", "gw", "vendor", "opex", "equity",
                               "outside", "cash", "amd")}
    # revenue = min(demand, 1.5 bn per GW-year x GW online / 12); GW = 0.5 base + 1.0 cloud (1 bn a month
    # x 12 / 12 bn per GW-year) + the chips deployed so far
    cash, financed = 5.0, 0.0
    for m in range(MONTHS):
        users = ceiling / (1 + math.exp(-(anchor + rate * (m + 1))))
        arpu = 2.0 * math.exp(arpu_drift * (m - 2))  # level 2.0 in 2026-03
        chip_gw = min(max(m - 1, 0), 6)  # 1 GW a month 2026-03 .. 2026-08
        gw = 0.5 + 1.0 + chip_gw
        revenue = min(users * arpu / 1000 / personal_share(m), 1.5 * gw / 12)
        compute = 1.0 + (12.0 if 2 <= m <= 7 else 0.0)
        vendor = min(45.0, 10.0 * chip_gw) - financed
        financed += vendor
        opex = 1.0 * 1.1 ** ((m + 6) / 12)  # 12 bn a year centred on 2025-07, +10 % a year
        equity = {1: 20.0, 4: 5.0}.get(m, 0.0)
        before = cash + revenue + equity + vendor - compute - opex
        outside = max(0.0, -before)
        cash = before + outside
        values = dict(users=users, arpu=arpu, revenue=revenue, compute=compute, gw=gw,
                      vendor=vendor, opex=opex, equity=equity, outside=outside, cash=cash,
                      amd=100.0 * math.exp(0.3 * (m + 1) / 12))
        for key, value in values.items():
            out[key].append(value)
    return out


@pytest.fixture(scope="module")
def paths():
    model = build_model(toy_inputs(), QUIET)
    return simulate(model, draw_paths(7, 0, 5, model.n_arpu_steps, model.n_amd_steps))


def test_every_path_is_the_hand_computed_path(paths):
    want = expected_path()
    got = {
        "users": paths.users_m, "arpu": paths.arpu_usd, "revenue": paths.revenue, "compute": paths.compute_spend,
        "gw": paths.gw_online, "vendor": paths.vendor_financing, "outside": paths.outside_money, "cash": paths.cash,
        "amd": paths.amd_price,
    }
    for key, values in got.items():
        for path in range(values.shape[0]):
            np.testing.assert_allclose(values[path], want[key], rtol=1e-10, atol=1e-10, err_msg=f"{key}, path {path}")
    np.testing.assert_allclose(paths.other_opex, want["opex"], rtol=1e-12)
    np.testing.assert_allclose(paths.equity, want["equity"], rtol=1e-12)
    assert sum(want["outside"]) > 0, "the toy path should need outside money, or the test proves little"
    demand = paths.demand[0]
    assert (demand > paths.revenue[0] + 1e-9).any() and (np.abs(demand - paths.revenue[0]) < 1e-12).any(), \
        "the toy path should be capped by compute in some months and by demand in others"


def test_warrant_tranches_vest_when_both_conditions_first_hold(paths):
    # t1: 2 GW from 2026-04 (m=3), price 105 from m=1 -> m=3; t2: 5 GW from m=6, price 150 from
    # m=16 (100 e^{0.025 (m+1)} >= 150) -> m=16; t3: price 1000 never within the horizon.
    price = lambda m: 100.0 * math.exp(0.3 * (m + 1) / 12)  # noqa: E731
    assert paths.vest_month.tolist() == [[3, 16, -1]] * 5
    np.testing.assert_allclose(paths.warrant_value, 10 * (price(3) - 1) / 1000 + 10 * (price(16) - 1) / 1000,
                               rtol=1e-12)


def test_tables_of_a_deterministic_run_are_that_path():
    want = expected_path()
    result = run_scenario(toy_inputs(), QUIET, "quiet", n_paths=5, seed=1)
    for metric, key, rtol in (("cash", "cash", 1e-6), ("revenue", "revenue", 1e-6), ("amd_price", "amd", 1e-6),
                              ("compute_spend", "compute", 1e-12), ("gw_online", "gw", 1e-12)):
        rows = result.path_quantiles.filter(pl.col("metric") == metric).sort("month")
        for column in ("p05", "p50", "p95"):
            np.testing.assert_allclose(rows[column].to_numpy(), want[key], rtol=rtol, atol=1e-9,
                                       err_msg=f"{metric} {column}")
    outcomes = dict(result.outcomes.filter(pl.col("month") == pl.date(2027, 12, 1)).select("outcome", "value")
                    .iter_rows())
    assert outcomes["p_outside_money_by"] == 1.0
    assert outcomes["outside_money_p50_by"] == pytest.approx(sum(want["outside"]), rel=1e-12)
    assert outcomes["warrant_shares_vested_expected"] == pytest.approx(20.0)
