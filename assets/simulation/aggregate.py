"""Polars aggregation of simulated paths into the `sim.*` tables.

Quantiles are exact: numpy's and polars' `linear` definition (`h = q (n - 1)`, interpolated
between the order statistics around `h`) over every path.

* cash, revenue and AMD price differ on every path; they are kept as float32 arrays
  (metric, month, path) and each month is one zero-copy polars column;
* compute spend, GW online and vendor financing depend on a path only through its state (delay
  and whether its LOI is on), so they are aggregated as weighted quantiles over the states,
  weighted by how many paths drew each — the same numbers as over every path;
* outcomes come from `PathSummary`: a few numbers per path and calendar year.

Supplier-financed share (the same definition as `round_trip_ratio` in mart.vendor_financing):
money from suppliers into OpenAI (equity they invest, per-GW investment received, warrant value
vested) divided by the money OpenAI pays those same suppliers for their compute, over the same
period — here every simulated month; OpenAI's payments for compute all go to suppliers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from assets.simulation.model import Model
from assets.simulation.months import month_date

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
QUANTILE_COLUMNS = ("p05", "p25", "p50", "p75", "p95")
UNITS = {
    "cash": "USD bn",
    "revenue": "USD bn per month",
    "compute_spend": "USD bn per month",
    "gw_online": "GW",
    "vendor_financing": "USD bn cumulative",
    "amd_price": "USD",
}


def _with_months(frame: pl.DataFrame, months: list[date]) -> pl.DataFrame:
    """Replace the integer column `m` (horizon index) by the `month` date."""
    lookup = pl.DataFrame({"m": range(len(months)), "month": months}, schema={"m": pl.Int64, "month": pl.Date})
    return frame.join(lookup, on="m", how="left").drop("m")


def stored_quantiles(stored: dict[str, np.ndarray], months: list[date]) -> pl.DataFrame:
    """Quantiles per month of (month, path) arrays: `m, metric, p05 .. p95`.

    One select over every (metric, month) column, one expression per quantile: polars spreads
    them over its thread pool, which beats a list of quantiles per column or a select per metric.
    """
    columns = pl.DataFrame({f"{metric}|{m}": values[m] for metric, values in stored.items()
                            for m in range(values.shape[0])})
    wide = columns.select(
        pl.all().quantile(q, interpolation="linear").cast(pl.Float64).name.suffix(f"|{name}")
        for q, name in zip(QUANTILES, QUANTILE_COLUMNS))
    long = (
        wide.unpivot()
        .select(pl.col("variable").str.split_exact("|", 2).struct.rename_fields(["metric", "m", "q"]), "value")
        .unnest("variable")
        .pivot(on="q", index=["metric", "m"], values="value")
        .select(pl.col("m").cast(pl.Int64), "metric", *QUANTILE_COLUMNS)
    )
    return _with_months(long, months)


def _weighted_quantile_exprs(n_total: int, quantiles=QUANTILES, names=QUANTILE_COLUMNS) -> list[pl.Expr]:
    """Aggregations over rows sorted by `value` with running count `upto` (see `weighted_quantiles`)."""
    exprs = []
    for q, name in zip(quantiles, names):
        h = q * (n_total - 1)
        lo = math.floor(h)
        hi = min(lo + 1, n_total - 1)
        at_lo = pl.col("value").filter(pl.col("upto") > lo).first()
        at_hi = pl.col("value").filter(pl.col("upto") > hi).first()
        exprs.append((at_lo + (h - lo) * (at_hi - at_lo)).alias(name))
    return exprs


def weighted_quantiles(frame: pl.DataFrame, by: list[str], n_total: int,
                       quantiles=QUANTILES, names=QUANTILE_COLUMNS) -> pl.DataFrame:
    """Exact quantiles per `by` group of `value` repeated `weight` times (weights sum to `n_total`)."""
    ranked = frame.sort([*by, "value"]).with_columns(upto=pl.col("weight").cum_sum().over(by))
    return ranked.group_by(by, maintain_order=True).agg(_weighted_quantile_exprs(n_total, quantiles, names))


def path_counts(state: np.ndarray) -> pl.DataFrame:
    """How many paths drew each state (LOI on, delay)."""
    return pl.DataFrame({"state": state}).group_by("state").agg(weight=pl.len().cast(pl.Int64)).sort("state")


def tabled_quantiles(counts: pl.DataFrame, tables: dict[str, np.ndarray], months: list[date]) -> pl.DataFrame:
    """Quantiles of metrics given as `tables[metric][state, m]`: `m, metric, p05 .. p95`."""
    n_months = len(months)
    parts = []
    for metric, table in tables.items():
        values = table[counts["state"].to_numpy()]  # (rows, M)
        parts.append(pl.DataFrame({
            "metric": metric,
            "m": np.tile(np.arange(n_months), counts.height),
            "value": values.ravel(),
            "weight": np.repeat(counts["weight"].to_numpy(), n_months),
        }))
    n_total = int(counts["weight"].sum())
    out = weighted_quantiles(pl.concat(parts), ["metric", "m"], n_total)
    return _with_months(out.select("m", "metric", *QUANTILE_COLUMNS), months)


def path_quantiles(scenario: str, stored: dict[str, np.ndarray], counts: pl.DataFrame,
                   tables: dict[str, np.ndarray], months: list[date]) -> pl.DataFrame:
    """`sim.path_quantiles` of one scenario: scenario, month, metric, unit, p05 .. p95."""
    return (
        pl.concat([stored_quantiles(stored, months), tabled_quantiles(counts, tables, months)])
        .with_columns(scenario=pl.lit(scenario), unit=pl.col("metric").replace_strict(UNITS))
        .select("scenario", "month", "metric", "unit", *QUANTILE_COLUMNS)
        .sort("metric", "month")
    )


OUTCOME_SCHEMA = {"scenario": pl.String, "outcome": pl.String, "month": pl.Date, "value": pl.Float64,
                  "unit": pl.String}


def horizon_years(model: Model) -> list[tuple[int, np.ndarray]]:
    """(calendar year, horizon month indexes in it) for every year the horizon touches."""
    years = (model.start + np.arange(model.n_months)) // 12
    return [(int(y), np.flatnonzero(years == y)) for y in np.unique(years)]


@dataclass(frozen=True)
class PathSummary:
    """A few numbers per path (`n` paths), and the model, for the outcomes and the anchor comparison.

    `outside[i]` is the cumulative outside money at `model.year_end_index[i]`; `revenue_year[j]`
    the revenue in the simulated months of `years[j]`.
    """

    model: Model
    years: list[tuple[int, np.ndarray]]
    state: np.ndarray
    outside: np.ndarray
    revenue_year: np.ndarray
    first_stall: np.ndarray
    amd_touch: np.ndarray
    amd_end: np.ndarray
    warrant_value: np.ndarray
    warrant_value_pv: np.ndarray
    vested_shares: np.ndarray

    def by_year(self, metric: str) -> np.ndarray:
        """(years, n) per path: revenue, compute_spend, other_opex, burn (= compute + other - revenue),
        vendor_financing (money from suppliers) or gw_online (at the year's last simulated month)."""
        if metric == "revenue":
            return self.revenue_year
        model = self.model
        if metric == "gw_online":
            return np.stack([model.gw_online[months[-1], self.state] for _, months in self.years])
        if metric == "other_opex":
            return np.stack([np.full(self.state.size, model.other_opex[months].sum()) for _, months in self.years])
        if metric == "compute_spend":
            return np.stack([model.compute_spend[months][:, self.state].sum(axis=0) for _, months in self.years])
        if metric == "vendor_financing":
            return np.stack([model.vendor_flow[months][:, self.state].sum(axis=0)
                             + model.supplier_equity[months].sum() for _, months in self.years])
        if metric == "burn":
            return self.by_year("compute_spend") + self.by_year("other_opex") - self.revenue_year
        raise ValueError(f"unknown per-year metric {metric!r}")

    def supplier_financed_share(self) -> np.ndarray:
        """Per path over the horizon: money from suppliers into OpenAI / OpenAI's payments to them."""
        money_in = self.by_year("vendor_financing").sum(axis=0) + self.warrant_value
        paid = self.by_year("compute_spend").sum(axis=0)
        return np.divide(money_in, paid, out=np.full(paid.shape, np.nan), where=paid > 0)


def _q(values: np.ndarray, q: float) -> float:
    return float(np.quantile(values, q, method="linear"))


def outcomes(scenario: str, summary: PathSummary, months: list[date]) -> pl.DataFrame:
    """`sim.outcomes` of one scenario: scenario, outcome, month, value, unit (see the asset description)."""
    model = summary.model
    end = months[-1]
    rows = []
    for i, m in enumerate(model.year_end_index):
        month, outside = months[m], summary.outside[i]
        rows += [("p_outside_money_by", month, float((outside > 0).mean()), "probability"),
                 ("outside_money_p05_by", month, _q(outside, 0.05), "USD bn"),
                 ("outside_money_p50_by", month, _q(outside, 0.5), "USD bn"),
                 ("outside_money_p95_by", month, _q(outside, 0.95), "USD bn")]
    for metric, unit in (("revenue", "USD bn per year"), ("compute_spend", "USD bn per year"), ("burn", "USD bn per year")):
        for (year, idx), values in zip(summary.years, summary.by_year(metric)):
            rows.append((f"{metric}_p50_in", months[idx[-1]], _q(values, 0.5), unit))
    for (year, idx), values in zip(summary.years, summary.by_year("gw_online")):
        rows.append(("gw_online_p50_at", months[idx[-1]], _q(values, 0.5), "GW"))
    stall = int(np.quantile(summary.first_stall, 0.5, method="lower"))  # none when fewer than half the paths stall
    share = summary.supplier_financed_share()
    rows += [
        ("first_stall_month_p50", months[stall] if stall < len(months) else None, None, "month"),
        ("compute_spend_total_p50", end, _q(summary.by_year("compute_spend").sum(axis=0), 0.5), "USD bn"),
        ("supplier_financed_share_p50", end, float(np.nanquantile(share, 0.5)) if np.isfinite(share).any() else None,
         "share"),
        ("p_amd_at_or_above_target_at_end", end, float(summary.amd_end.mean()), "probability"),
        ("p_amd_touches_target_by_end", end, float(summary.amd_touch.mean()), "probability"),
        ("warrant_value_expected", end, float(summary.warrant_value.mean()), "USD bn"),
        ("warrant_value_pv_expected", month_date(model.valuation_month), float(summary.warrant_value_pv.mean()), "USD bn"),
        ("warrant_shares_vested_expected", end, float(summary.vested_shares.mean()), "million shares"),
        ("p_loi_on", end, float((summary.state > model.max_delay).mean()), "probability"),
    ]
    return pl.DataFrame([(scenario, *row) for row in rows], schema=OUTCOME_SCHEMA, orient="row")


def sample_paths(scenario: str, metrics: dict[str, np.ndarray], months: list[date]) -> pl.DataFrame:
    """`sim.sample_paths`: scenario, path, month and one column per metric, for the given (path, month) arrays."""
    n_paths, n_months = next(iter(metrics.values())).shape
    return pl.DataFrame({
        "scenario": [scenario] * (n_paths * n_months),
        "path": np.repeat(np.arange(n_paths, dtype=np.int64), n_months),
        "month": pl.Series(months * n_paths, dtype=pl.Date),
        **{name: values.ravel() for name, values in metrics.items()},
    })
