"""`sim.anchor_comparison`: the base case beside published estimates (data/registry/anchors.csv).

Each anchor states a quantity over a period (`YYYY-MM` to `YYYY-MM`); the model's p05/p50/p95 are
computed on the same definition from the base run's paths:

| quantity | model figure per path |
| --- | --- |
| outside_money_cumulative | outside money injected in the period (none before the horizon: the rounds raised are in the cash) |
| cash_burn_annual / _cumulative | compute + other costs - revenue in the period; months before the horizon from reported `cash_burn` |
| revenue_annual | revenue in the period; months before the horizon from reported `revenue` |
| compute_spend_cumulative | payments for compute in the simulated months of the period |
| compute_commitments_total | the counted contracts' scheduled payments in the simulated months (no delay, LOI on) |
| compute_capacity_gw | GW online at the period's end (or the horizon's end) |

The model sees year-end figures and whole calendar years in the horizon, so a period must end in
December (or run past the horizon); an anchor the model cannot match is listed with the reason.
`driver` says in words what makes the two differ, with the model's own component figures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from assets.simulation.aggregate import PathSummary
from assets.simulation.inputs import SimulationInputs
from assets.simulation.months import month_number, month_text, period_months
from assets.simulation.scenario_inputs import scheduled_payments

ANCHORS_FILE = "data/registry/anchors.csv"
COLUMNS = ("anchor_id", "publisher", "quantity", "period_start", "period_end", "value", "unit", "low", "high",
           "source_url", "source_date", "definition", "note")
QUANTITIES = ("outside_money_cumulative", "cash_burn_cumulative", "cash_burn_annual", "revenue_annual",
              "compute_spend_cumulative", "compute_commitments_total", "compute_capacity_gw")
SCHEMA = {"anchor_id": pl.String, "publisher": pl.String, "quantity": pl.String, "period": pl.String,
          "anchor_value": pl.Float64, "unit": pl.String, "model_p05": pl.Float64, "model_p50": pl.Float64,
          "model_p95": pl.Float64, "ratio_model_to_anchor": pl.Float64, "model_covers": pl.String,
          "driver": pl.String, "source_url": pl.String, "source_date": pl.String, "definition": pl.String}


def load_anchors(path: str | Path) -> pl.DataFrame:
    """anchors.csv, checked: raises ValueError naming the file, line and column of a bad cell."""
    path = Path(path)
    frame = pl.read_csv(path, infer_schema=False).with_row_index("line", offset=2)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path.name}:1: columns {missing} missing")
    for row in frame.iter_rows(named=True):
        where = f"{path.name}:{row['line']}"
        if row["quantity"] not in QUANTITIES:
            raise ValueError(f"{where}: quantity {row['quantity']!r} is not one of {QUANTITIES}")
        for column in ("anchor_id", "publisher", "source_url", "source_date", "definition", "period_start"):
            if not row[column]:
                raise ValueError(f"{where}: {column} is required (every anchor is sourced and dated)")
        try:
            float(row["value"])
            for column in ("period_start", "period_end"):
                if row[column]:
                    period_months(row[column])
        except (TypeError, ValueError):
            raise ValueError(f"{where}: value {row['value']!r} or period is not valid") from None
    return frame.with_columns(pl.col("value").cast(pl.Float64))


def _tiled(history: pl.DataFrame, metric: str, first: int, last: int) -> float | None:
    """Sum of reported `metric` rows that exactly tile the months `first .. last`, or None."""
    if first > last:
        return 0.0
    rows = history.filter(pl.col("metric") == metric)
    total, cursor = 0.0, first
    while cursor <= last:
        fits = rows.filter((pl.col("first") == cursor) & (pl.col("last") <= last)).sort("last", "source_date")
        if fits.is_empty():
            return None
        row = fits.row(-1, named=True)
        total, cursor = total + row["value"], row["last"] + 1
    return total


def _quantiles(values: np.ndarray) -> tuple[float, float, float]:
    return tuple(float(np.quantile(values, q)) for q in (0.05, 0.5, 0.95))


class _Base:
    """The base run's per-path figures by calendar year, summed over periods."""

    def __init__(self, summary: PathSummary, inputs: SimulationInputs) -> None:
        self.summary, self.inputs = summary, inputs
        self.start = summary.model.start
        self.end = summary.model.start + summary.model.n_months - 1
        self.years = [year for year, _ in summary.years]
        self.state_count = summary.state.size
        self.cache = {m: summary.by_year(m) for m in ("revenue", "compute_spend", "other_opex", "burn", "gw_online")}

    def over(self, metric: str, first: int, last: int) -> np.ndarray:
        """Per path: `metric` summed over the simulated calendar years inside `first .. last`."""
        rows = [i for i, year in enumerate(self.years) if first // 12 <= year <= last // 12]
        return self.cache[metric][rows].sum(axis=0)

    def outside(self, last: int) -> np.ndarray | None:
        ends = {self.start + int(m): i for i, m in enumerate(self.summary.model.year_end_index)}
        return self.summary.outside[ends[last]] if last in ends else None


def _compare(base: _Base, row: dict, publisher_rows: pl.DataFrame) -> tuple:
    """(p05, p50, p95, covers, driver) of one anchor; None figures with the reason when not comparable."""
    first = period_months(row["period_start"])[0]
    last = period_months(row["period_end"])[1] if row["period_end"] else base.end
    quantity = row["quantity"]
    in_first, in_last = max(first, base.start), min(last, base.end)
    covers = f"{month_text(in_first)}..{month_text(in_last)} simulated"
    if in_last < base.end and in_last % 12 != 11:
        return None, None, None, covers, "not comparable: the period ends inside a simulated year (the model sums whole years)"
    cash = base.inputs.starting_cash_usd_bn
    if quantity == "outside_money_cumulative":
        values = base.outside(in_last)
        compute = np.median(base.over("compute_spend", in_first, in_last))
        revenue = np.median(base.over("revenue", in_last, in_last))
        other = {r["quantity"]: r["value"] for r in publisher_rows.iter_rows(named=True)}
        theirs = "; ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in other.items()
                           if k in ("compute_spend_cumulative", "revenue_annual"))
        driver = (f"the model starts from {cash:g} bn of cash on {month_text(base.start - 1)} (after the 2026 round "
                  f"closed) and pays {compute:.0f} bn for compute to {month_text(in_last)} while earning "
                  f"{revenue:.0f} bn in {in_last // 12} (p50); revenue is capped by demand (users x ARPU) and by GW "
                  "online" + (f"; the publisher's own figures: {theirs}" if theirs else ""))
    elif quantity in ("cash_burn_annual", "cash_burn_cumulative", "revenue_annual"):
        metric = "revenue" if quantity == "revenue_annual" else "burn"
        gap_last = min(last, base.start - 1)  # the period's months before the horizon: history
        history = _tiled(base.inputs.reported_history, "revenue" if metric == "revenue" else "cash_burn",
                         first, gap_last)
        if history is None:
            return None, None, None, covers, (f"not comparable: no reported {metric} figures cover "
                                              f"{month_text(first)}..{month_text(gap_last)}")
        simulated = base.over(metric, in_first, in_last) if in_first <= in_last else np.zeros(base.state_count)
        values = history + simulated
        if in_first > in_last:
            covers = f"history only: {history:g} reported for {month_text(first)}..{month_text(gap_last)}"
        elif first < base.start:
            covers += f" + {history:g} reported for {month_text(first)}..{month_text(gap_last)}"
        comp = {m: np.median(base.over(m, in_first, in_last)) for m in ("compute_spend", "other_opex", "revenue")}
        if metric == "revenue":
            year = in_last // 12
            gw = np.median(base.cache["gw_online"][base.years.index(year)]) if year in base.years else float("nan")
            driver = (f"model revenue grows with weekly users (logistic to the scenario's ceiling) x ARPU (the app "
                      f"tracker's drift) / the personal share, capped by what {gw:.0f} GW online (p50, "
                      f"{month_text(in_last)}) can serve at {base.inputs.revenue_per_gw_year_usd_bn:.1f} bn per GW-year "
                      "(reported) grown at the scenario's rate; the demand "
                      "side binds on most paths, far below the publisher's user and pricing assumptions")
            return (*_quantiles(values), covers, driver)
        driver = (f"model p50 over the simulated months: compute {comp['compute_spend']:.0f} + other costs "
                  f"{comp['other_opex']:.0f} - revenue {comp['revenue']:.0f}; the contracted cloud payments "
                  "(Oracle from 2027, Microsoft, AWS) and the owned systems are paid as scheduled, while revenue "
                  "grows only as demand (users x ARPU) and GW online allow")
    elif quantity == "compute_spend_cumulative":
        values = base.over("compute_spend", in_first, in_last)
        driver = ("model: every counted contract paid as delivered (cloud rent) or per GW deployed (own systems, "
                  "vendor cost per GW x own_capex_share); months before the horizon are not in the model figure")
    elif quantity == "compute_commitments_total":
        total = sum(scheduled_payments(base.summary.model).values())
        values = np.array([total])
        driver = (f"model: {total:.0f} bn of counted contracts scheduled {month_text(base.start)}.."
                  f"{month_text(base.end)} (no delay, LOI on); payments after the horizon, the non-counted "
                  "overlapping deals and the clouds' own capex are not in it")
    else:  # compute_capacity_gw
        year = in_last // 12
        index = base.years.index(year) if year in base.years else len(base.years) - 1
        values = base.cache["gw_online"][index]
        driver = (f"model: GW online at {month_text(in_last)} = {base.inputs.base_gw_online:g} reported + cloud GW "
                  "(payments / rent per GW-year) + the owned share of vendor GW; a contracted total counts every "
                  "announced GW whether online or not")
    if values is None:
        return None, None, None, covers, "not comparable: no simulated year end at the period's end"
    return (*_quantiles(values), covers, driver)


def anchor_comparison(anchors: pl.DataFrame, summary: PathSummary, inputs: SimulationInputs) -> pl.DataFrame:
    """One row per anchor: its value, the model's p05/p50/p95 on the same definition, the ratio and the driver."""
    base = _Base(summary, inputs)
    rows = []
    for row in anchors.iter_rows(named=True):
        same = anchors.filter((pl.col("publisher").str.split(" ").list.first() == row["publisher"].split(" ")[0])
                              & (pl.col("anchor_id") != row["anchor_id"]))
        p05, p50, p95, covers, driver = _compare(base, row, same)
        ratio = p50 / row["value"] if p50 is not None and row["value"] else None
        period = f"{row['period_start']}..{row['period_end'] or 'open'}"
        rows.append((row["anchor_id"], row["publisher"], row["quantity"], period, row["value"], row["unit"], p05,
                     p50, p95, ratio, covers, driver, row["source_url"], row["source_date"], row["definition"]))
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")
