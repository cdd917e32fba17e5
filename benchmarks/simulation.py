"""Simulation benchmark: the polars engine against a hand-written numpy reference of the same model.

One process, in this order: a warm-up run; the engine on 1,000,000 paths x the full horizon of the
base scenario (wall time, then the process's peak RSS, which is the engine's); the numpy reference
on the same paths (same deterministic set-up and random draws, its own path arithmetic and numpy
aggregation), checked to give the same quantiles and outcomes; the default daily run (3 scenarios
x 20,000 paths); the sensitivity run (every base parameter at its low and high end, 20,000 paths
each). The last line is the summary.

    .venv/bin/python benchmarks/simulation.py
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.simulation.aggregate import QUANTILE_COLUMNS, QUANTILES  # noqa: E402
from assets.simulation.draws import draw_paths  # noqa: E402
from assets.simulation.model import Model, build_model  # noqa: E402
from assets.simulation.months import month_date, month_number  # noqa: E402
from assets.simulation.params import read_scenarios  # noqa: E402
from assets.simulation.warehouse_inputs import inputs_from_tables  # noqa: E402
from assets.simulation.run import (CHUNK_PATHS, DEFAULT_N_PATHS, DEFAULT_SEED, run_scenario, run_scenarios,  # noqa: E402
                                   run_sensitivity)

N_PATHS = 1_000_000
SEED = DEFAULT_SEED
REGISTRY_TODAY = date(2026, 11, 23)  # the registry's cut-off: no registry date lies after it


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _running(values: np.ndarray, op) -> np.ndarray:
    for m in range(1, values.shape[0]):
        op(values[m - 1], values[m], out=values[m])
    return values


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, quantiles) -> np.ndarray:
    """Exact 'linear' quantiles of each column of `values` (K, M), row k repeated weights[k] times."""
    n = int(weights.sum())
    order = np.argsort(values, axis=0, kind="stable")
    ordered = np.take_along_axis(values, order, axis=0)
    upto = np.cumsum(weights[order], axis=0)
    out = np.empty((len(quantiles), values.shape[1]))
    for i, q in enumerate(quantiles):
        h = q * (n - 1)
        lo, frac = int(np.floor(h)), h - np.floor(h)
        hi = min(lo + 1, n - 1)
        for m in range(values.shape[1]):
            a = ordered[np.searchsorted(upto[:, m], lo, side="right"), m]
            b = ordered[np.searchsorted(upto[:, m], hi, side="right"), m]
            out[i, m] = a + frac * (b - a)
    return out


def numpy_reference(model: Model, n_paths: int, seed: int, chunk_paths: int) -> dict[str, np.ndarray]:
    """The same model written directly in numpy: path quantiles and outcomes as arrays."""
    m_count = model.n_months
    months = np.arange(m_count)
    stored = {name: np.empty((m_count, n_paths), dtype=np.float32) for name in ("cash", "revenue", "amd_price")}
    state_all = np.empty(n_paths, dtype=np.int64)
    outside_year_end = np.empty((model.year_end_index.size, n_paths))
    first_stall = np.empty(n_paths, dtype=np.int64)
    amd_touch = np.empty(n_paths, dtype=bool)
    amd_end = np.empty(n_paths, dtype=bool)
    warrant = np.zeros(n_paths)
    warrant_pv = np.zeros(n_paths)
    vested = np.zeros(n_paths)
    x = (model.user_tau - model.anchor_tau).astype(float)
    for first in range(0, n_paths, chunk_paths):
        n = min(chunk_paths, n_paths - first)
        cols = slice(first, first + n)
        d = draw_paths(seed, first, n, model.n_arpu_steps, model.n_amd_steps)
        # users: logistic through the latest figure, growth fitted per ceiling
        ceiling = model.users_max + model.headroom_median * np.exp(model.headroom_log_sd * d.ceiling)
        anchor = np.log(model.anchor_users / (ceiling - model.anchor_users))
        y = np.log(model.user_values[:, None] / (ceiling - model.user_values[:, None])) - anchor
        rate = (x @ y) / (x @ x)
        users = ceiling / (1.0 + np.exp(-(rate * (months - model.anchor_tau)[:, None] + anchor)))
        # ARPU: trend, plus a random walk after the level month
        log_arpu = np.repeat(model.log_arpu_trend[:, None], n, axis=1)
        start = max(0, model.arpu_tau + 1)
        if model.n_arpu_steps:
            walk = _running(d.arpu * model.arpu_vol_month, np.add)
            log_arpu[start:] = walk[start - model.arpu_tau - 1:] + model.log_arpu_trend[start:, None]
        demand = users * np.exp(log_arpu) / (1000.0 * model.personal_share)[:, None]
        # state (LOI, delay); revenue capped by what the GW online can serve
        if model.delay_success >= 1.0:
            delay = np.zeros(n, dtype=np.int64)
        else:
            delay = np.minimum(np.floor(np.log1p(-d.delay) / np.log1p(-model.delay_success)),
                               model.max_delay).astype(np.int64)
        state = (d.loi < model.loi_probability).astype(np.int64) * (model.max_delay + 1) + delay
        capacity = model.capacity_revenue[:, state] * np.exp(model.revenue_per_gw_log_sd * d.revenue_per_gw)
        revenue = np.minimum(demand, capacity)
        level = revenue + model.vendor_flow[:, state] - model.compute_spend[:, state] \
            + (model.equity - model.other_opex)[:, None]
        level[0] += model.starting_cash
        _running(level, np.add)
        injected = np.maximum(-_running(level.copy(), np.minimum), 0.0)
        # AMD: known closes, then GBM steps from the latest close
        price = np.empty((m_count, n))
        known = model.amd_known.size
        price[:known] = model.amd_known[:, None]
        if model.n_amd_steps:
            walk = _running(model.amd_step_mean + model.amd_step_sd * d.amd, np.add)
            price[known:] = model.amd_s0 * np.exp(walk[model.n_amd_steps - (m_count - known):])
        # warrant tranches
        for k in range(model.tranche_price.size):
            gw_month = model.tranche_gw_month[k, state]
            hit = (price >= model.tranche_price[k]) & (months[:, None] >= gw_month)
            ok = hit.any(axis=0)
            at = hit.argmax(axis=0)
            value = np.where(ok, model.tranche_shares[k] * (price[at, np.arange(n)] - model.tranche_strike[k]) / 1000.0, 0.0)
            warrant[cols] += value
            warrant_pv[cols] += value * model.discount[at]
            vested[cols] += ok * model.tranche_shares[k]
        stored["cash"][:, cols] = level + injected
        stored["revenue"][:, cols] = revenue
        stored["amd_price"][:, cols] = price
        state_all[cols] = state
        outside_year_end[:, cols] = injected[model.year_end_index]
        first_stall[cols] = np.where(injected[-1] > 0, (injected > 0).argmax(axis=0), m_count)
        amd_touch[cols] = price.max(axis=0) >= model.amd_target
        amd_end[cols] = price[-1] >= model.amd_target

    out = {name: np.quantile(values, QUANTILES, axis=1) for name, values in stored.items()}
    keys, weights = np.unique(state_all, return_counts=True)
    compute = model.compute_spend[:, keys].T                                          # (K, M)
    financing = np.cumsum(model.vendor_flow[:, keys].T, axis=1) + np.cumsum(model.supplier_equity)
    out["compute_spend"] = _weighted_quantiles(compute, weights, QUANTILES)
    out["gw_online"] = _weighted_quantiles(model.gw_online[:, keys].T, weights, QUANTILES)
    out["vendor_financing"] = _weighted_quantiles(financing, weights, QUANTILES)
    paid = model.compute_spend[:, state_all].sum(axis=0)
    money_in = model.vendor_flow[:, state_all].sum(axis=0) + model.supplier_equity.sum() + warrant
    out["compute_spend_total_p50"] = np.quantile(paid, 0.5)
    out["supplier_financed_share_p50"] = np.quantile(money_in / paid, 0.5)
    out["p_outside_money_by"] = (outside_year_end > 0).mean(axis=1)
    (out["outside_money_p05_by"], out["outside_money_p50_by"],
     out["outside_money_p95_by"]) = np.quantile(outside_year_end, (0.05, 0.5, 0.95), axis=1)
    out["first_stall"] = np.quantile(first_stall, 0.5, method="lower")
    out["p_amd_touches_target_by_end"] = amd_touch.mean()
    out["p_amd_at_or_above_target_at_end"] = amd_end.mean()
    out["warrant_value_expected"] = warrant.mean()
    out["warrant_value_pv_expected"] = warrant_pv.mean()
    out["warrant_shares_vested_expected"] = vested.mean()
    return out


def largest_difference(engine, reference: dict[str, np.ndarray]) -> float:
    """Largest relative difference between the engine's tables and the reference's arrays."""
    worst = 0.0

    def compare(a, b):
        nonlocal worst
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        worst = max(worst, float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b)))))

    for metric in ("cash", "revenue", "amd_price", "compute_spend", "gw_online", "vendor_financing"):
        rows = engine.path_quantiles.filter(pl.col("metric") == metric).sort("month")
        compare(rows.select(QUANTILE_COLUMNS).to_numpy().T, reference[metric])
    outcomes = engine.outcomes
    for name, value in reference.items():
        rows = outcomes.filter(pl.col("outcome") == name).sort("month")
        if rows.height:
            compare(rows["value"].to_numpy(), value)
    return worst


def input_tables() -> dict[str, pl.DataFrame]:
    """The simulation's input tables of the real registry and snapshot prices, from a scratch warehouse."""
    from assets.simulation.warehouse_tables import scratch_input_tables  # DuckDB and Dagster: child process only

    prices = pl.read_parquet(ROOT / "data/snapshot/prices.parquet")
    return scratch_input_tables(ROOT / "data/registry", prices, REGISTRY_TODAY)


def main() -> None:
    # Built in a child process, so that DuckDB and Dagster count in neither the timings nor the peak RSS.
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        inputs = inputs_from_tables(**pool.apply(input_tables))
    scenarios, ranges = read_scenarios(ROOT / "data/registry/scenarios.csv")
    base = scenarios["base"]
    run_scenario(inputs, base, "base", n_paths=CHUNK_PATHS, seed=SEED)  # warm-up (imports, thread pool)

    t0 = time.perf_counter()
    engine = run_scenario(inputs, base, "base", n_paths=N_PATHS, seed=SEED)
    engine_seconds = time.perf_counter() - t0
    engine_rss = peak_rss_mb()

    t0 = time.perf_counter()
    reference = numpy_reference(build_model(inputs, base), N_PATHS, SEED, CHUNK_PATHS)
    reference_seconds = time.perf_counter() - t0
    difference = largest_difference(engine, reference)
    stall = engine.outcomes.filter(pl.col("outcome") == "first_stall_month_p50")["month"][0]
    index = int(reference["first_stall"])
    expected_stall = month_date(month_number(inputs.start_month) + index) if index < inputs.n_months else None
    if difference > 1e-5 or stall != expected_stall:
        raise SystemExit(f"engine and numpy reference disagree: largest relative difference {difference:.2e}, "
                         f"median first stall {stall} vs {expected_stall}")

    t0 = time.perf_counter()
    run_scenarios(inputs, scenarios, n_paths=DEFAULT_N_PATHS, seed=SEED)
    daily_seconds = time.perf_counter() - t0

    t0 = time.perf_counter()
    sensitivity = run_sensitivity(inputs, base, ranges["base"], "base", n_paths=DEFAULT_N_PATHS, seed=SEED)
    sensitivity_seconds = time.perf_counter() - t0
    swung = sensitivity["parameter"].n_unique()

    months, ratio = inputs.n_months, engine_seconds / reference_seconds
    print(f"{'case':<36}{'paths':>11}{'months':>8}{'seconds':>10}{'peak RSS MB':>13}{'x numpy':>9}")
    print(f"{'polars engine (base scenario)':<36}{N_PATHS:>11,}{months:>8}{engine_seconds:>10.2f}{engine_rss:>13.0f}"
          f"{ratio:>9.2f}")
    print(f"{'numpy reference (same model)':<36}{N_PATHS:>11,}{months:>8}{reference_seconds:>10.2f}"
          f"{'(' + format(peak_rss_mb(), '.0f') + ')':>13}{1.0:>9.2f}")
    print(f"{'daily run (3 scenarios)':<36}{3 * DEFAULT_N_PATHS:>11,}{months:>8}{daily_seconds:>10.2f}")
    print(f"{'sensitivity (' + str(swung) + ' parameters x low/high)':<36}{DEFAULT_N_PATHS:>11,}{months:>8}"
          f"{sensitivity_seconds:>10.2f}")
    print(f"engine vs reference: largest relative difference {difference:.1e}; (RSS) = process peak after the "
          f"reference; targets: <= 15 s, <= 2048 MB, ratio <= 1.0, daily run <= 3 s, sensitivity <= 30 s")
    print(f"simulation paths={N_PATHS} months={months} seconds={engine_seconds:.2f} "
          f"peak_rss_mb={engine_rss:.0f} ratio_vs_numpy={ratio:.2f}")


if __name__ == "__main__":
    main()
