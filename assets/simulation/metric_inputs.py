"""The inputs taken from OpenAI's reported figures: the frame of sql/sim/metrics.sql (raw.openai_metrics).

Duplicates: of several rows for one month, the latest `source_date` wins; "the latest" figure of a
metric is the one whose period ends last (then the latest `source_date`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from assets.simulation.months import month_date, month_number, month_text, period_months
from assets.simulation.provenance import Notes, cite

TABLE = "raw.openai_metrics"
BASE_YEAR = "2025"  # the year of the reported cost base (other operating costs)


class Metrics:
    """The metric rows with their first and last month (`month`, `last_month`)."""

    def __init__(self, frame: pl.DataFrame, notes: Notes) -> None:
        self.notes = notes
        self.frame = frame.filter(pl.col("period").is_not_null()).with_columns(
            pl.col("value").cast(pl.Float64),
            pl.col("period").map_elements(lambda p: month_date(period_months(p)[0]), return_dtype=pl.Date)
            .alias("month"),
            pl.col("period").map_elements(lambda p: month_date(period_months(p)[1]), return_dtype=pl.Date)
            .alias("last_month"),
        )

    def series(self, metric: str) -> pl.DataFrame:
        """Rows of one metric, one per month (latest source_date wins), ordered by month."""
        rows = self.frame.filter(pl.col("metric") == metric)
        if rows.is_empty():
            raise ValueError(f"{TABLE} has no {metric!r} rows")
        return rows.sort("month", "source_date").unique("month", keep="last").sort("month")

    def latest(self, metric: str, period: str | None = None) -> dict:
        """The row of `metric` with the latest period (or the given period), latest source_date first."""
        rows = self.frame.filter(pl.col("metric") == metric)
        if period is not None:
            rows = rows.filter(pl.col("period") == period)
        if rows.is_empty():
            raise ValueError(f"{TABLE} has no {metric!r} row" + (f" for {period}" if period else ""))
        return rows.sort("last_month", "source_date").row(-1, named=True)


def starting_cash(metrics: Metrics) -> tuple[int, float]:
    """(first simulated month number, cash): the latest cash balance and the month after it."""
    cash = metrics.latest("cash_and_securities")
    metrics.notes.add("starting_cash_usd_bn", cash["value"], "USD bn", f"{cash['reliability']}: {cite(cash)}",
                      f"{TABLE} {cash['metric_id']} ({cash['period']})")
    return month_number(cash["last_month"]) + 1, cash["value"]


def other_opex(metrics: Metrics) -> tuple[float, date, int]:
    """(other operating costs per year, the month they are centred on, last month of the base year)."""
    revenue, burn = metrics.latest("revenue", BASE_YEAR), metrics.latest("cash_burn", BASE_YEAR)
    value = revenue["value"] + burn["value"]
    metrics.notes.add("other_opex_usd_bn", value, "USD bn per year",
                      f"derived: {BASE_YEAR} revenue {revenue['value']:g} ({cite(revenue)}) + {BASE_YEAR} cash burn "
                      f"{burn['value']:g} ({cite(burn)}) = cash operating costs of {BASE_YEAR}, "
                      "incl. the compute used then",
                      f"{TABLE} {revenue['metric_id']}, {burn['metric_id']}")
    first, last = period_months(BASE_YEAR)
    return value, month_date(first + 6), last


def users_revenue(metrics: Metrics) -> dict:
    """User and ARPU history, personal-share statements and the ARPU level (SimulationInputs fields)."""
    notes = metrics.notes
    users = metrics.series("chatgpt_weekly_active_users")
    arpu = metrics.series("arpu")
    for frame, unit in ((users, "million users"), (arpu, "USD per user")):
        for row in frame.iter_rows(named=True):
            notes.add(f"{row['metric']}@{month_text(month_number(row['month']))}", row["value"], unit,
                      f"{row['reliability']}: {cite(row)}", f"{TABLE} {row['metric_id']}")

    columns = ["metric_id", "source_url", "source_document", "source_date", "reliability"]
    personal = metrics.series("revenue_mix_personal_share").select("month", "value", *columns)
    enterprise = metrics.series("revenue_mix_enterprise_share").filter(
        (pl.col("reliability") == "company_reported") & ~pl.col("month").is_in(personal["month"].implode())
    ).select("month", (1 - pl.col("value")).alias("value"), *columns)
    mix = pl.concat([personal, enterprise]).sort("month")
    for row in mix.iter_rows(named=True):
        rule = "" if row["metric_id"] in personal["metric_id"] else "derived: 1 - company-reported enterprise share; "
        notes.add(f"personal_share@{month_text(month_number(row['month']))}", row["value"], "share",
                  f"{rule}{row['reliability']}: {cite(row)}", f"{TABLE} {row['metric_id']}")

    revenue = metrics.latest("monthly_revenue")
    level_month = month_number(revenue["month"])
    known_users = users.filter(pl.col("month") <= revenue["month"]).row(-1, named=True)
    share = float(np.interp(level_month, [month_number(m) for m in mix["month"]], mix["value"].to_numpy()))
    level = revenue["value"] * share * 1000.0 / known_users["value"]
    notes.add("arpu_level_usd", level, "USD per user per month",
              f"derived: monthly revenue {revenue['value']:g} bn x personal share {share:.3f} / "
              f"{known_users['value']:g} M weekly users; {cite(revenue)}",
              f"{TABLE} {revenue['metric_id']}, {known_users['metric_id']}")
    x = [month_number(m) for m in arpu["month"]]
    slope = float(np.polyfit(x, np.log(arpu["value"].to_numpy()), 1)[0])
    tracker = arpu["value"][-1] * np.exp(slope * (level_month - x[-1]))
    notes.add("arpu_drift_per_month", slope, "log per month",
              "derived: least-squares slope of log ARPU (app tracker)", f"{TABLE} arpu")
    notes.add("arpu_level_vs_tracker", level / tracker, "ratio",
              "derived: ARPU level from reported revenue / tracker ARPU extrapolated to the same month; "
              "the tracker does not reconcile with reported revenue (README), so the level comes from revenue",
              TABLE)
    return {
        "user_history": users.select("month", pl.col("value").alias("users_m")),
        "arpu_history": arpu.select("month", pl.col("value").alias("arpu_usd")),
        "personal_share": mix.select("month", pl.col("value").alias("personal_share")),
        "arpu_level_usd": level,
        "arpu_level_month": revenue["month"],
    }


def compute_base(metrics: Metrics) -> dict:
    """GW online at the latest reported figure, and revenue per GW-year from reported figures.

    Revenue per GW-year of a year Y = reported revenue of Y / mean of the GW online reported at the
    end of Y-1 and of Y (capacity grew through the year); every year with both figures is noted, the
    latest one is the level (centred on the middle of Y), the others show its spread.
    """
    notes = metrics.notes
    online = metrics.series("compute_capacity_online")
    latest = online.row(-1, named=True)
    notes.add("base_gw_online", latest["value"], "GW", f"{latest['reliability']}: {cite(latest)}",
              f"{TABLE} {latest['metric_id']} ({latest['period']}); paid inside the other operating costs")
    gw_at = {row["last_month"].year: row for row in online.iter_rows(named=True)}
    revenue = metrics.frame.filter((pl.col("metric") == "revenue") & pl.col("period").str.contains(r"^\d{4}$"))
    ratios = []
    for year in sorted(set(revenue["period"].cast(int).to_list())):
        if year in gw_at and year - 1 in gw_at:
            row = metrics.latest("revenue", str(year))
            mean_gw = (gw_at[year - 1]["value"] + gw_at[year]["value"]) / 2
            ratio = row["value"] / mean_gw
            ratios.append((year, ratio))
            notes.add(f"revenue_per_gw_year@{year}", ratio, "USD bn per GW-year",
                      f"derived: {year} revenue {row['value']:g} ({cite(row)}) / mean GW online "
                      f"{gw_at[year - 1]['value']:g} (end {year - 1}) and {gw_at[year]['value']:g} (end {year}) "
                      f"({cite(gw_at[year])})",
                      f"{TABLE} {row['metric_id']}, {gw_at[year - 1]['metric_id']}, {gw_at[year]['metric_id']}")
    if not ratios:
        raise ValueError(f"{TABLE}: no year with both reported revenue and GW online at its start and end: "
                         "revenue per GW cannot be derived")
    year, level = ratios[-1]
    return {"base_gw_online": latest["value"], "revenue_per_gw_year_usd_bn": level,
            "revenue_per_gw_month": month_date(year * 12 + 6)}
