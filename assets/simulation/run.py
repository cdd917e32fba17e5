"""Run one scenario: simulate paths chunk by chunk, keep what the tables need, aggregate with polars.

Memory is bounded by the chunk (`chunk_paths` x months float64 working arrays) plus, for the
whole run, three float32 (month x path) arrays for the quantiles of cash, revenue and AMD price
and a few numbers per path for the outcomes (about 0.8 GB at 1,000,000 paths x 66 months).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import polars as pl

from assets.simulation import aggregate
from assets.simulation.buffers import Buffers
from assets.simulation.draws import BLOCK_PATHS, draw_paths
from assets.simulation.inputs import SimulationInputs
from assets.simulation.model import Model, build_model
from assets.simulation.months import month_date
from assets.simulation.params import ScenarioParams
from assets.simulation.paths import Paths, simulate
from assets.simulation.scenario_inputs import scenario_inputs

DEFAULT_N_PATHS = 20_000
DEFAULT_SEED = 20251006
CHUNK_PATHS = 4 * BLOCK_PATHS
SAMPLE_PATHS = 200
STORED_METRICS = ("cash", "revenue", "amd_price")


@dataclass(frozen=True)
class SimulationResult:
    """The four `sim.*` tables of one or more scenarios."""

    scenario_inputs: pl.DataFrame
    path_quantiles: pl.DataFrame
    outcomes: pl.DataFrame
    sample_paths: pl.DataFrame

    @staticmethod
    def concat(results: list[SimulationResult]) -> SimulationResult:
        """Stack the tables of several scenario runs."""
        return SimulationResult(*(pl.concat([getattr(r, f.name) for r in results]) for f in fields(SimulationResult)))


def metric_tables(model: Model) -> dict[str, np.ndarray]:
    """Path metrics that depend only on (LOI on, delay), as `table[loi_on, delay, month]`."""
    supplier_equity = np.cumsum(model.supplier_equity)
    financing_on = np.cumsum(model.vendor_flow.T, axis=1) + supplier_equity
    return {
        "compute_spend": np.stack([model.compute_spend.T, model.compute_spend.T]),
        "gw_online": np.stack([model.gw_online.T, model.gw_online.T]),
        "vendor_financing": np.stack([np.broadcast_to(supplier_equity, financing_on.shape), financing_on]),
    }


def sample_metrics(model: Model, paths: Paths, n: int) -> dict[str, np.ndarray]:
    """Copies of the (path, month) arrays of `sim.sample_paths` for the first `n` paths of a chunk."""
    return {
        "cash": paths.cash[:n].copy(),
        "revenue": paths.revenue[:n].copy(),
        "compute_spend": paths.compute_spend[:n].copy(),
        "gw_online": paths.gw_online[:n].copy(),
        "vendor_financing": np.cumsum(paths.vendor_financing[:n], axis=1) + np.cumsum(model.supplier_equity),
        "amd_price": paths.amd_price[:n].copy(),
        "outside_money": paths.outside_cumulative[:n].copy(),
    }


class _Collector:
    """What the tables need from every path, filled chunk by chunk."""

    def __init__(self, model: Model, n_paths: int) -> None:
        self.model = model
        self.stored = {name: np.empty((model.n_months, n_paths), dtype=np.float32) for name in STORED_METRICS}
        self.delay = np.empty(n_paths, dtype=np.int64)
        self.loi_on = np.empty(n_paths, dtype=bool)
        self.outside = np.empty((model.year_end_index.size, n_paths))
        self.first_stall = np.empty(n_paths, dtype=np.int64)
        self.amd_hit = np.empty(n_paths, dtype=bool)
        self.warrant_value = np.empty(n_paths)
        self.vested_shares = np.empty(n_paths)
        self.sample: dict[str, np.ndarray] = {}

    def add(self, first: int, paths: Paths) -> None:
        cols = slice(first, first + paths.delay.size)
        for name in STORED_METRICS:
            self.stored[name][:, cols] = getattr(paths, name).T
        self.delay[cols] = paths.delay
        self.loi_on[cols] = paths.loi_on
        outside = paths.outside_cumulative.T  # (M, n)
        self.outside[:, cols] = outside[self.model.year_end_index]
        stalled = outside > 0
        self.first_stall[cols] = np.where(stalled[-1], stalled.argmax(axis=0), self.model.n_months)
        self.amd_hit[cols] = paths.amd_price.T.max(axis=0) >= self.model.amd_target
        self.warrant_value[cols] = paths.warrant_value
        self.vested_shares[cols] = (paths.vest_month >= 0) @ self.model.tranche_shares
        if first == 0:
            self.sample = sample_metrics(self.model, paths, SAMPLE_PATHS)

    def per_path(self) -> pl.DataFrame:
        return pl.DataFrame({
            **{f"outside_{i}": row for i, row in enumerate(self.outside)},
            "first_stall": self.first_stall,
            "amd_hit": self.amd_hit,
            "warrant_value": self.warrant_value,
            "vested_shares": self.vested_shares,
        })


def tabled_medians(counts: pl.DataFrame, tables: dict[str, np.ndarray]) -> dict[str, float]:
    """Medians over paths of horizon totals that depend only on (LOI on, delay)."""
    compute_total = tables["compute_spend"].sum(axis=2)
    totals = {
        "compute_spend_total_p50": compute_total,
        "supplier_financed_share_p50": tables["vendor_financing"][..., -1] / compute_total,
    }
    loi, delay = counts["loi_on"].cast(pl.Int64).to_numpy(), counts["delay"].to_numpy()
    frame = pl.concat([counts.with_columns(outcome=pl.lit(name), value=pl.Series(total[loi, delay]))
                       for name, total in totals.items()])
    medians = aggregate.weighted_quantiles(frame, ["outcome"], int(counts["weight"].sum()), (0.5,), ("p50",))
    return dict(medians.select("outcome", "p50").iter_rows())


def run_scenario(inputs: SimulationInputs, params: ScenarioParams, scenario: str, *,
                 n_paths: int = DEFAULT_N_PATHS, seed: int = DEFAULT_SEED,
                 chunk_paths: int = CHUNK_PATHS) -> SimulationResult:
    """Simulate `n_paths` paths of one scenario; same arguments and seed give identical tables.

    `chunk_paths` (a multiple of `BLOCK_PATHS`) bounds the working memory; it does not change
    the results.
    """
    if n_paths < 1:
        raise ValueError(f"n_paths must be at least 1, got {n_paths}")
    if chunk_paths < 1 or chunk_paths % BLOCK_PATHS:
        raise ValueError(f"chunk_paths must be a positive multiple of {BLOCK_PATHS}, got {chunk_paths}")
    model = build_model(inputs, params)
    collector = _Collector(model, n_paths)
    buffers = Buffers()
    for first in range(0, n_paths, chunk_paths):
        n = min(chunk_paths, n_paths - first)
        draws = draw_paths(seed, first, n, model.n_arpu_steps, model.n_amd_steps, buffers)
        collector.add(first, simulate(model, draws, buffers))

    months = [month_date(model.start + m) for m in range(model.n_months)]
    year_ends = [months[i] for i in model.year_end_index]
    counts = aggregate.path_counts(collector.delay, collector.loi_on)
    tables = metric_tables(model)
    return SimulationResult(
        scenario_inputs=scenario_inputs(scenario, inputs, params, n_paths, seed),
        path_quantiles=aggregate.path_quantiles(scenario, collector.stored, counts, tables, months),
        outcomes=aggregate.outcomes(scenario, collector.per_path(), year_ends, months, tabled_medians(counts, tables)),
        sample_paths=aggregate.sample_paths(scenario, collector.sample, months),
    )


def run_scenarios(inputs: SimulationInputs, scenarios: dict[str, ScenarioParams], *,
                  n_paths: int = DEFAULT_N_PATHS, seed: int = DEFAULT_SEED) -> SimulationResult:
    """Run several scenarios one after the other and stack their tables."""
    return SimulationResult.concat([
        run_scenario(inputs, params, name, n_paths=n_paths, seed=seed) for name, params in scenarios.items()
    ])
