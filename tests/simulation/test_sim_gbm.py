"""AMD's GBM against closed forms: lognormal moments, and the barrier-touch probability.

Three years of monthly steps from S0 = 100, mu = 10 % and sigma = 40 % a year.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
import pytest

from assets.simulation.draws import BLOCK_PATHS, draw_paths
from assets.simulation.model import build_model
from assets.simulation.paths import simulate
from assets.simulation.run import run_scenario

from sim_testdata import QUIET, toy_inputs

S0, MU, SIGMA, YEARS, BARRIER = 100.0, 0.10, 0.40, 3, 150.0
DT = 1 / 12


def gbm_inputs():
    tranches = pl.DataFrame({"tranche": ["t1"], "shares_m": [1.0], "gw_condition": [1.0],
                             "price_condition_usd": [BARRIER], "strike_usd": [0.0]})
    return toy_inputs(end_month=date(2025 + YEARS, 12, 1), amd_s0_usd=S0, amd_mu_annual=MU,
                      amd_sigma_annual=SIGMA, warrant_tranches=tranches)


def norm_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def lognormal_moment(k: int) -> float:
    """E[S_T^k] for S_T = S0 exp((mu - sigma^2/2) T + sigma W_T)."""
    t = YEARS
    return S0**k * math.exp(k * MU * t + 0.5 * k * (k - 1) * SIGMA**2 * t)


def test_terminal_mean_and_variance_match_the_lognormal():
    model = build_model(gbm_inputs(), QUIET)
    n, chunk = 16 * BLOCK_PATHS, 4 * BLOCK_PATHS
    terminal = np.concatenate([
        simulate(model, draw_paths(11, first, chunk, model.n_arpu_steps, model.n_amd_steps)).amd_price[:, -1]
        for first in range(0, n, chunk)
    ])
    m1, m2, m3, m4 = (lognormal_moment(k) for k in (1, 2, 3, 4))
    variance = m2 - m1**2
    fourth_central = m4 - 4 * m1 * m3 + 6 * m1**2 * m2 - 3 * m1**4
    se_mean = math.sqrt(variance / n)
    se_variance = math.sqrt((fourth_central - variance**2) / n)
    assert abs(terminal.mean() - m1) < 4 * se_mean
    assert abs(terminal.var(ddof=1) - variance) < 4 * se_variance


def test_barrier_touch_probability_matches_reflection_with_discrete_monitoring_correction():
    # Monthly monitoring ~ continuous monitoring of a barrier moved up by exp(0.5826 sigma sqrt(dt))
    # (Broadie, Glasserman & Kou 1997); for continuous monitoring the reflection principle gives
    # P(max S >= B) = N((-b + nu T) / (sigma sqrt T)) + exp(2 nu b / sigma^2) N((-b - nu T) / (sigma sqrt T)).
    n = 24 * BLOCK_PATHS
    result = run_scenario(gbm_inputs(), QUIET, "gbm", n_paths=n, seed=5)
    simulated = result.outcomes.filter(pl.col("outcome") == "p_amd_touches_target_by_end")["value"][0]

    nu, t = MU - 0.5 * SIGMA**2, YEARS
    b = math.log(BARRIER * math.exp(0.5826 * SIGMA * math.sqrt(DT)) / S0)
    s = SIGMA * math.sqrt(t)
    closed = norm_cdf((-b + nu * t) / s) + math.exp(2 * nu * b / SIGMA**2) * norm_cdf((-b - nu * t) / s)
    se = math.sqrt(closed * (1 - closed) / n)
    assert simulated == pytest.approx(closed, abs=4 * se)
