"""Polars aggregation of simulated paths into the `sim.*` tables.

Quantiles are exact: numpy's and polars' `linear` definition (`h = q (n - 1)`, interpolated
between the order statistics around `h`) over every path.

* cash, revenue and AMD price differ on every path; they are kept as float32 arrays
  (metric, month, path) and each month is one zero-copy polars column;
* compute spend, GW online and vendor financing depend on a path only through its delay and
  whether its LOI is on, so they are aggregated as weighted quantiles over the (delay, LOI)
  combinations, weighted by how many paths drew each — the same numbers as over every path.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl

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


def path_counts(delay: np.ndarray, loi_on: np.ndarray) -> pl.DataFrame:
    """How many paths drew each (delay, LOI) combination."""
    return pl.DataFrame({"delay": delay, "loi_on": loi_on}).group_by("delay", "loi_on").agg(
        weight=pl.len().cast(pl.Int64))


def tabled_quantiles(counts: pl.DataFrame, tables: dict[str, np.ndarray], months: list[date]) -> pl.DataFrame:
    """Quantiles of metrics given as `tables[metric][loi_on, delay, m]`: `m, metric, p05 .. p95`."""
    n_months = len(months)
    parts = []
    for metric, table in tables.items():
        values = table[counts["loi_on"].cast(pl.Int64).to_numpy(), counts["delay"].to_numpy()]  # (rows, M)
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


def outcomes(scenario: str, per_path: pl.DataFrame, year_ends: list[date], months: list[date],
             tabled: dict[str, float]) -> pl.DataFrame:
    """`sim.outcomes` of one scenario: scenario, outcome, month, value, unit.

    `per_path` has one row per path: `outside_<i>` (cumulative outside money at `year_ends[i]`),
    `first_stall` (horizon index of the first injection, `len(months)` if none), `amd_hit`,
    `warrant_value`, `vested_shares`. `tabled` holds the medians computed from the delay tables
    (`supplier_financed_share_p50`, `compute_spend_total_p50`).
    """
    by_year = [(i, pl.col(f"outside_{i}")) for i in range(len(year_ends))]
    stats = per_path.select(
        *[(col > 0).mean().alias(f"p_outside_money_by{i}") for i, col in by_year],
        *[col.quantile(0.5, interpolation="linear").alias(f"outside_money_p50_by{i}") for i, col in by_year],
        *[col.quantile(0.95, interpolation="linear").alias(f"outside_money_p95_by{i}") for i, col in by_year],
        pl.col("first_stall").quantile(0.5, interpolation="lower").alias("first_stall"),
        pl.col("amd_hit").mean().alias("p_amd_reaches_target"),
        pl.col("warrant_value").mean().alias("warrant_value_expected"),
        pl.col("vested_shares").mean().alias("warrant_shares_vested_expected"),
    ).row(0, named=True)
    end = months[-1]
    rows = []
    for name, unit in (("p_outside_money_by", "probability"), ("outside_money_p50_by", "USD bn"),
                       ("outside_money_p95_by", "USD bn")):
        rows += [(name, month, stats[f"{name}{i}"], unit) for i, month in enumerate(year_ends)]
    stall = int(stats["first_stall"])  # the median month, or none when fewer than half the paths stall
    rows += [
        ("first_stall_month_p50", months[stall] if stall < len(months) else None, None, "month"),
        ("compute_spend_total_p50", end, tabled["compute_spend_total_p50"], "USD bn"),
        ("supplier_financed_share_p50", end, tabled["supplier_financed_share_p50"], "share"),
        ("p_amd_reaches_target", end, stats["p_amd_reaches_target"], "probability"),
        ("warrant_value_expected", end, stats["warrant_value_expected"], "USD bn"),
        ("warrant_shares_vested_expected", end, stats["warrant_shares_vested_expected"], "million shares"),
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
