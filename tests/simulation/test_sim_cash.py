"""Cash accounting on real inputs: every path, every month, Δcash = inflows − outflows to the cent."""

from __future__ import annotations

import numpy as np
import pytest

from assets.simulation.draws import draw_paths
from assets.simulation.model import build_model
from assets.simulation.paths import simulate

CENT = 0.01 / 1e9  # one US cent in USD bn


@pytest.fixture(scope="module", params=["base", "bull", "bear"])
def paths(request, registry_inputs, scenarios):
    model = build_model(registry_inputs, scenarios[request.param])
    return simulate(model, draw_paths(3, 0, 3000, model.n_arpu_steps, model.n_amd_steps)), registry_inputs


def test_change_in_cash_is_inflows_minus_outflows(paths):
    paths, inputs = paths
    inflows = paths.revenue + paths.equity + paths.vendor_financing + paths.outside_money
    outflows = paths.compute_spend + paths.other_opex
    previous = np.concatenate([np.full((paths.cash.shape[0], 1), inputs.starting_cash_usd_bn), paths.cash[:, :-1]],
                              axis=1)
    assert np.abs((paths.cash - previous) - (inflows - outflows)).max() < CENT


def test_outside_money_only_covers_shortfalls(paths):
    paths, _ = paths
    assert (paths.cash >= 0).all() and (paths.outside_money >= 0).all()
    injected = paths.outside_money > 0
    assert injected.any(), "the real inputs should need outside money somewhere"
    assert (paths.cash[injected] == 0).all()  # never more than the shortfall
