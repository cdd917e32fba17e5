"""Run one scenario: simulate paths chunk by chunk, keep what the tables need, aggregate with polars.

Memory is bounded by the chunk (`chunk_paths` x months float64 working arrays) plus, for the
whole run, three float32 (month x path) arrays for the quantiles of cash, revenue and AMD price
and a few numbers per path and year for the outcomes (about 0.9 GB at 1,000,000 paths x 61 months).

`run_sensitivity` swings every scenario parameter to the low and high end of its stated range,
one at a time, and keeps two figures per run (the 2030 median outside money and P(outside money
by 2028)); it simulates the same paths (same seed) but skips the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import polars as pl

from assets.simulation import aggregate
from assets.simulation.buffers import Buffers
from assets.simulation.draws import BLOCK_PATHS, draw_paths
from assets.simulation.inputs import SimulationInputs
from assets.simulation.model import Model, build_model
from assets.simulation.months import month_date
from assets.simulation.params import UNITS, Ranges, ScenarioParams
from assets.simulation.paths import Paths, simulate
from assets.simulation.scenario_inputs import scenario_inputs

DEFAULT_N_PATHS = 20_000
DEFAULT_SEED = 20251006
CHUNK_PATHS = 4 * BLOCK_PATHS
SAMPLE_PATHS = 200
STORED_METRICS = ("cash", "revenue", "amd_price")
SENSITIVITY_YEARS = (2030, 2028)  # median outside money by the end of the first, P(outside money) by the second


@dataclass(frozen=True)
class SimulationResult:
    """The `sim.*` tables of one or more scenarios, and each scenario's per-path summary."""

    scenario_inputs: pl.DataFrame
    path_quantiles: pl.DataFrame
    outcomes: pl.DataFrame
    sample_paths: pl.DataFrame
    summaries: dict = field(default_factory=dict, compare=False)  # scenario -> aggregate.PathSummary

    @staticmethod
    def concat(results: list[SimulationResult]) -> SimulationResult:
        """Stack the tables of several scenario runs."""
        tables = [f.name for f in fields(SimulationResult) if f.name != "summaries"]
        return SimulationResult(*(pl.concat([getattr(r, name) for r in results]) for name in tables),
                                summaries={k: v for r in results for k, v in r.summaries.items()})


def metric_tables(model: Model) -> dict[str, np.ndarray]:
    """Path metrics that depend only on the state (LOI on, delay), as `table[state, month]`."""
    supplier_equity = np.cumsum(model.supplier_equity)
    return {
        "compute_spend": model.compute_spend.T,
        "gw_online": model.gw_online.T,
        "vendor_financing": np.cumsum(model.vendor_flow.T, axis=1) + supplier_equity,
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
    """What the tables need from every path, filled chunk by chunk (`tables=False`: outside money only)."""

    def __init__(self, model: Model, n_paths: int, tables: bool = True) -> None:
        self.model, self.tables = model, tables
        self.years = aggregate.horizon_years(model)
        self.outside = np.empty((model.year_end_index.size, n_paths))
        if not tables:
            return
        self.stored = {name: np.empty((model.n_months, n_paths), dtype=np.float32) for name in STORED_METRICS}
        self.state = np.empty(n_paths, dtype=np.int64)
        self.revenue_year = np.empty((len(self.years), n_paths))
        self.first_stall = np.empty(n_paths, dtype=np.int64)
        self.amd_touch = np.empty(n_paths, dtype=bool)
        self.amd_end = np.empty(n_paths, dtype=bool)
        self.warrant_value = np.empty(n_paths)
        self.warrant_value_pv = np.empty(n_paths)
        self.vested_shares = np.empty(n_paths)
        self.sample: dict[str, np.ndarray] = {}

    def add(self, first: int, paths: Paths) -> None:
        cols = slice(first, first + paths.delay.size)
        outside = paths.outside_cumulative.T  # (M, n)
        self.outside[:, cols] = outside[self.model.year_end_index]
        if not self.tables:
            return
        for name in STORED_METRICS:
            self.stored[name][:, cols] = getattr(paths, name).T
        self.state[cols] = paths.state
        revenue = paths.revenue.T
        for i, (_, months) in enumerate(self.years):
            self.revenue_year[i, cols] = revenue[months].sum(axis=0)
        stalled = outside > 0
        self.first_stall[cols] = np.where(stalled[-1], stalled.argmax(axis=0), self.model.n_months)
        price = paths.amd_price.T
        self.amd_touch[cols] = price.max(axis=0) >= self.model.amd_target
        self.amd_end[cols] = price[-1] >= self.model.amd_target
        self.warrant_value[cols] = paths.warrant_value
        self.warrant_value_pv[cols] = paths.warrant_value_pv
        self.vested_shares[cols] = (paths.vest_month >= 0) @ self.model.tranche_shares
        if first == 0:
            self.sample = sample_metrics(self.model, paths, SAMPLE_PATHS)

    def summary(self) -> aggregate.PathSummary:
        return aggregate.PathSummary(
            model=self.model, years=self.years, state=self.state, outside=self.outside,
            revenue_year=self.revenue_year, first_stall=self.first_stall, amd_touch=self.amd_touch,
            amd_end=self.amd_end, warrant_value=self.warrant_value, warrant_value_pv=self.warrant_value_pv,
            vested_shares=self.vested_shares)


def _simulate_all(model: Model, n_paths: int, seed: int, chunk_paths: int, tables: bool = True) -> _Collector:
    if n_paths < 1:
        raise ValueError(f"n_paths must be at least 1, got {n_paths}")
    if chunk_paths < 1 or chunk_paths % BLOCK_PATHS:
        raise ValueError(f"chunk_paths must be a positive multiple of {BLOCK_PATHS}, got {chunk_paths}")
    collector = _Collector(model, n_paths, tables)
    buffers = Buffers()
    for first in range(0, n_paths, chunk_paths):
        n = min(chunk_paths, n_paths - first)
        # AMD's steps are each block's last draws: leaving them out changes no other draw
        draws = draw_paths(seed, first, n, model.n_arpu_steps, model.n_amd_steps if tables else 0, buffers)
        collector.add(first, simulate(model, draws, buffers, cash_only=not tables))
    return collector


def run_scenario(inputs: SimulationInputs, params: ScenarioParams, scenario: str, *,
                 n_paths: int = DEFAULT_N_PATHS, seed: int = DEFAULT_SEED,
                 chunk_paths: int = CHUNK_PATHS) -> SimulationResult:
    """Simulate `n_paths` paths of one scenario; same arguments and seed give identical tables.

    `chunk_paths` (a multiple of `BLOCK_PATHS`) bounds the working memory; it does not change
    the results.
    """
    model = build_model(inputs, params)
    collector = _simulate_all(model, n_paths, seed, chunk_paths)
    months = [month_date(model.start + m) for m in range(model.n_months)]
    counts = aggregate.path_counts(collector.state)
    summary = collector.summary()
    return SimulationResult(
        scenario_inputs=scenario_inputs(scenario, inputs, params, model, n_paths, seed),
        path_quantiles=aggregate.path_quantiles(scenario, collector.stored, counts, metric_tables(model), months),
        outcomes=aggregate.outcomes(scenario, summary, months),
        sample_paths=aggregate.sample_paths(scenario, collector.sample, months),
        summaries={scenario: summary},
    )


def run_scenarios(inputs: SimulationInputs, scenarios: dict[str, ScenarioParams], *,
                  n_paths: int = DEFAULT_N_PATHS, seed: int = DEFAULT_SEED) -> SimulationResult:
    """Run several scenarios one after the other and stack their tables."""
    return SimulationResult.concat([
        run_scenario(inputs, params, name, n_paths=n_paths, seed=seed) for name, params in scenarios.items()
    ])


SENSITIVITY_SCHEMA = {"scenario": pl.String, "parameter": pl.String, "unit": pl.String, "value": pl.Float64,
                      "low": pl.Float64, "high": pl.Float64, "outcome": pl.String, "outcome_unit": pl.String,
                      "at_value": pl.Float64, "at_low": pl.Float64, "at_high": pl.Float64, "swing": pl.Float64,
                      "n_paths": pl.Int64, "seed": pl.Int64}


def _headline(model: Model, collector: _Collector) -> tuple[float, float]:
    """(median outside money by the end of 2030, P(outside money by the end of 2028)) of a run."""
    year_of = {month_date(model.start + int(m)).year: i for i, m in enumerate(model.year_end_index)}
    median_year, p_year = SENSITIVITY_YEARS
    median = float(np.quantile(collector.outside[year_of[median_year]], 0.5)) if median_year in year_of else np.nan
    p = float((collector.outside[year_of[p_year]] > 0).mean()) if p_year in year_of else np.nan
    return median, p


def run_sensitivity(inputs: SimulationInputs, params: ScenarioParams, ranges: Ranges, scenario: str, *,
                    n_paths: int = DEFAULT_N_PATHS, seed: int = DEFAULT_SEED) -> pl.DataFrame:
    """`sim.sensitivity`: per parameter with a range, the two headline figures at its low and high end
    (every other parameter at the scenario's value), on the same paths (same seed)."""
    def headline(p: ScenarioParams) -> tuple[float, float]:
        model = build_model(inputs, p)
        return _headline(model, _simulate_all(model, n_paths, seed, CHUNK_PATHS, tables=False))

    base = headline(params)
    rows = []
    for name in ScenarioParams.names():
        low, high = ranges.low[name], ranges.high[name]
        if low == high:
            at_low = at_high = base
        else:
            cast = int if name == "personal_share_target_yyyymm" else float
            at_low, at_high = headline(params.override(**{name: cast(low)})), headline(params.override(**{name: cast(high)}))
        for i, (outcome, unit) in enumerate((("outside_money_p50_by_2030", "USD bn"),
                                             ("p_outside_money_by_2028", "probability"))):
            rows.append((scenario, name, UNITS[name], float(getattr(params, name)), float(low), float(high), outcome, unit, base[i], at_low[i],
                         at_high[i], abs(at_high[i] - at_low[i]), n_paths, seed))
    return pl.DataFrame(rows, schema=SENSITIVITY_SCHEMA, orient="row").sort(
        "outcome", "swing", "parameter", descending=[False, True, False])
