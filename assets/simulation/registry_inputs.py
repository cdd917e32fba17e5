"""STAND-IN until the marts exist: build `SimulationInputs` straight from the registry CSVs.

The simulation assets will read the same figures from the `mart.*` tables; only this module
changes then. Each input, the registry rows it comes from today and the table meant to feed it:

| input | registry rows (today) | meant to come from |
| --- | --- | --- |
| starting_cash_usd_bn, start_month | metrics `cash_and_securities`, latest period | a mart of OpenAI's reported figures |
| user_history | metrics `chatgpt_weekly_active_users` | mart.arpu |
| arpu_history | metrics `arpu` (app tracker; used for the drift only) | mart.arpu |
| arpu_level_usd/month | latest `monthly_revenue` x personal share / latest users at or before it | mart.arpu |
| personal_share | `revenue_mix_personal_share`; 1 - company-reported `revenue_mix_enterprise_share` | mart.revenue_mix |
| commitments | deal_terms `payment_schedule` of compute deals bought by OpenAI | mart.commitment_schedule |
| deployments | deal_terms `deployment_window` (GW) of deals bought by OpenAI | mart.commitment_schedule |
| equity_inflows | deal_terms `payment_schedule` + exact amounts in deals.csv of equity into OpenAI | mart.vendor_financing |
| vendor financing | deal_terms `per_gw_investment` | mart.vendor_financing |
| warrant_tranches | deal_terms `warrant_tranche` of the warrant OpenAI holds | mart.warrant_tranches |
| amd_* | the `amd_prices` argument (`trade_date, close`) | core.prices, ticker AMD |
| other_opex_usd_bn | metrics `revenue` + `cash_burn` of 2025 | a mart of OpenAI's reported figures |

(The scenario's cost per GW is sourced from estimates.csv in scenarios.csv; mart.cost_per_gw
can back it later.) Rules applied here, each visible in `provenance`:

* duplicates: the latest period wins, then the latest `source_date`;
* overlap groups (data/registry/README.md): only the group's `counted` deal;
* yearly or multi-month amounts are spread evenly over their months; a payment whose period is a
  year but whose deal was announced later in that year is paid in the announcement month;
* payments due in the base year of the other operating costs (2025) are inside those costs;
* payments dated before `start_month` are in the starting cash; stock figures (`cumulative_*`)
  and payments without a period (conditional money) are not cash inflows;
* a deployment window without an end runs to `OPEN_WINDOW_END` (assumption);
* NVIDIA's per-GW money is capped at its stated ceiling less the equity the same investor put in
  through the same overlap group (the 30 bn of Feb 2026 replaced the LOI in practice).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from assets.simulation.amd_gbm import estimate_gbm, month_end_closes
from assets.simulation.inputs import SimulationInputs
from assets.simulation.months import month_date, month_number, month_text, period_months, yyyymm

HORIZON_END = date(2030, 12, 1)
OPEN_WINDOW_END = "2029-12"
AMD_WINDOW_YEARS = 5
OPENAI = "OpenAI"
COMPUTE_DEAL_TYPES = ("cloud_contract", "chip_supply", "compute_purchase")
OPEN_WINDOW_REASON = ("assumption: deployment windows without a stated end are spread evenly to 2029-12, "
                      "the end of the Broadcom window and of the Stargate programme (deal_terms AVGO-OAI-2025-10, "
                      "STARGATE-2025-01)")


def _cite(row: dict) -> str:
    """`URL (date)`, or the named document when the source has no URL."""
    return f"{row.get('source_url') or 'NO URL: ' + str(row.get('source_document'))} ({row['source_date']})"


class _Registry:
    """The registry CSVs with parties resolved to canonical company names."""

    def __init__(self, folder: Path) -> None:
        companies = pl.read_csv(folder / "companies.csv", infer_schema=False)
        canonical = {}
        for company, aliases in companies.select("company", "aliases").iter_rows():
            for name in [company, *(aliases or "").split("|")]:
                if name:
                    canonical[name] = company
        self.deals = pl.read_csv(folder / "deals.csv", infer_schema=False).with_columns(
            pl.col("buyer").replace_strict(canonical, default=None).alias("buyer_co"),
            pl.col("seller").replace_strict(canonical, default=None).alias("seller_co"),
            pl.col("amount_usd_bn").cast(pl.Float64),
        )
        self.terms = pl.read_csv(folder / "deal_terms.csv", infer_schema=False).with_columns(
            pl.col("value").cast(pl.Float64)).join(
            self.deals.select("deal_id", "deal_type", "buyer_co", "seller_co", "overlap_group", "overlap_role",
                              "announced_on"),
            on="deal_id", how="left")
        self.metrics = pl.read_csv(folder / "metrics.csv", infer_schema=False).filter(
            pl.col("period").is_not_null()  # a figure without a period cannot be placed in time
        ).with_columns(
            pl.col("value").cast(pl.Float64),
            pl.col("period").map_elements(lambda p: month_date(period_months(p)[0]), return_dtype=pl.Date).alias("month"),
            pl.col("period").map_elements(lambda p: month_date(period_months(p)[1]), return_dtype=pl.Date).alias("last_month"),
        )
        self.rows: list[tuple] = []  # provenance

    def note(self, parameter: str, value: float, unit: str, source: str, estimated_from: str) -> None:
        self.rows.append((parameter, float(value), unit, source, estimated_from))

    def series(self, metric: str) -> pl.DataFrame:
        """Rows of one metric, one per month (latest source_date wins), ordered by month."""
        rows = self.metrics.filter(pl.col("metric") == metric)
        if rows.is_empty():
            raise ValueError(f"metrics.csv has no {metric!r} rows")
        return rows.sort("month", "source_date").unique("month", keep="last").sort("month")

    def latest(self, metric: str, period: str | None = None) -> dict:
        """The row of `metric` with the latest period (or the given period), latest source_date first."""
        rows = self.metrics.filter(pl.col("metric") == metric)
        if period is not None:
            rows = rows.filter(pl.col("period") == period)
        if rows.is_empty():
            raise ValueError(f"metrics.csv has no {metric!r} row" + (f" for {period}" if period else ""))
        return rows.sort("last_month", "source_date").row(-1, named=True)

    @staticmethod
    def counted(frame: pl.DataFrame) -> pl.DataFrame:
        """Rows of deals that totals may add: no overlap group, or the group's `counted` deal."""
        return frame.filter(pl.col("overlap_group").is_null() | (pl.col("overlap_role") == "counted"))


def _spread(deal_id: str, first: int, last: int, amount: float) -> list[tuple]:
    """`amount` split evenly over the months `first .. last`."""
    n = last - first + 1
    return [(deal_id, month_date(m), amount / n) for m in range(first, last + 1)]


def _payment_month(period: str, announced_on: str) -> int:
    """First month of `period`, but not before the announcement (nor after the period's end)."""
    first, last = period_months(period)
    return min(max(first, period_months(announced_on)[0]), last)


def _commitments(reg: _Registry, base_year_end: int) -> pl.DataFrame:
    rows = reg.terms.filter(
        (pl.col("term_type") == "payment_schedule") & pl.col("deal_type").is_in(COMPUTE_DEAL_TYPES)
        & (pl.col("buyer_co") == OPENAI) & pl.col("period").is_not_null())
    out = []
    for (deal_id,), deal_rows in reg.counted(rows).group_by("deal_id", maintain_order=True):
        paid = []
        for row in deal_rows.iter_rows(named=True):
            first, last = period_months(row["period"])
            paid += [m for m in _spread(deal_id, first, last, row["value"]) if month_number(m[1]) > base_year_end]
        out += paid
        if paid:
            row = deal_rows.row(0, named=True)
            reg.note(f"compute_commitment:{deal_id}", sum(m[2] for m in paid), "USD bn",
                     f"{row['basis']}: {row['rule']}; {_cite(row)}",
                     f"registry deal_terms.csv payment_schedule, {month_text(month_number(paid[0][1]))}.."
                     f"{month_text(month_number(paid[-1][1]))} (after the 2025 cost base)")
    return pl.DataFrame(out, schema={"deal_id": pl.String, "month": pl.Date, "amount_usd_bn": pl.Float64},
                        orient="row")


def _deployments(reg: _Registry) -> pl.DataFrame:
    windows = reg.terms.filter((pl.col("term_type") == "deployment_window") & (pl.col("unit") == "GW")
                               & (pl.col("buyer_co") == OPENAI))
    out = []
    for (deal_id,), rows in windows.group_by("deal_id", maintain_order=True):
        total = rows.filter(pl.col("item") != "first_gw").row(0, named=True)
        end = period_months(total["period"] or OPEN_WINDOW_END)[1]
        first = rows.filter(pl.col("item") == "first_gw")
        if first.is_empty():
            out += _spread(deal_id, period_months(total["period"])[0], end, total["value"])
        else:
            head = first.row(0, named=True)
            head_first, head_last = period_months(head["period"])
            out += _spread(deal_id, head_first, head_last, head["value"])
            out += _spread(deal_id, head_last + 1, end, total["value"] - head["value"])
            reg.note(f"deployment_first_gw:{deal_id}", head["value"], "GW", f"{head['basis']}: {_cite(head)}",
                     f"registry deal_terms.csv deployment_window {head['period']}")
        reg.note(f"deployment_total_gw:{deal_id}", total["value"], "GW", f"{total['basis']}: {_cite(total)}",
                 f"registry deal_terms.csv deployment_window {total['period'] or 'no end stated'}")
        if not total["period"]:
            reg.note(f"deployment_window_end:{deal_id}", yyyymm(end), "YYYYMM", OPEN_WINDOW_REASON, "assumption")
    return pl.DataFrame(out, schema={"deal_id": pl.String, "month": pl.Date, "gw": pl.Float64}, orient="row")


def _equity_payments(reg: _Registry) -> pl.DataFrame:
    """Every equity payment into OpenAI, all dates, one deal per overlap group."""
    schedule = reg.terms.filter((pl.col("term_type") == "payment_schedule")
                                & (pl.col("deal_type") == "equity_investment") & (pl.col("seller_co") == OPENAI))
    rows = []
    for row in schedule.iter_rows(named=True):
        if row["item"].startswith("cumulative"):
            continue  # a stock figure (funded to date), not a payment
        if not row["period"]:
            reg.note(f"equity_not_counted:{row['deal_id']}:{row['item']}", row["value"], "USD bn",
                     f"assumption: no date and paid only on conditions (e.g. an IPO): that would be outside money, "
                     f"so it is not counted as raised; {_cite(row)}", "registry deal_terms.csv payment_schedule")
            continue
        rows.append((row["deal_id"], _payment_month(row["period"], row["announced_on"]), row["value"],
                     row["buyer_co"], row["overlap_group"], row["overlap_role"], _cite(row),
                     f"deal_terms.csv {row['item']}"))
    unscheduled = reg.deals.filter(
        (pl.col("deal_type") == "equity_investment") & (pl.col("seller_co") == OPENAI)
        & (pl.col("amount_basis") == "exact") & pl.col("start_period").is_not_null()
        & ~pl.col("deal_id").is_in(schedule["deal_id"].implode()))
    for row in unscheduled.iter_rows(named=True):
        rows.append((row["deal_id"], _payment_month(row["start_period"], row["announced_on"]), row["amount_usd_bn"],
                     row["buyer_co"], row["overlap_group"], row["overlap_role"], _cite(row),
                     "deals.csv amount_usd_bn (exact)"))
    frame = pl.DataFrame(rows, orient="row", schema={
        "deal_id": pl.String, "month": pl.Int64, "amount_usd_bn": pl.Float64, "investor": pl.String,
        "overlap_group": pl.String, "overlap_role": pl.String, "source": pl.String, "estimated_from": pl.String})
    return reg.counted(frame)


def _suppliers(reg: _Registry) -> set[str]:
    """Companies that sell compute to OpenAI."""
    sellers = reg.deals.filter(pl.col("deal_type").is_in(COMPUTE_DEAL_TYPES) & (pl.col("buyer_co") == OPENAI))
    return set(sellers["seller_co"].drop_nulls())


def _vendor_financing(reg: _Registry, deployments: pl.DataFrame, equity: pl.DataFrame) -> tuple[str, float, float]:
    """(deal whose GW trigger the money, USD bn per GW, cap) of the per-GW investment."""
    terms = reg.terms.filter(pl.col("term_type") == "per_gw_investment")
    per_gw = terms.filter(pl.col("unit") == "USD bn per GW").row(0, named=True)
    ceiling = terms.filter(pl.col("item") == "max_total").row(0, named=True)
    investor = per_gw["buyer_co"]
    deployed = reg.deals.filter(pl.col("deal_id").is_in(deployments["deal_id"].unique().implode())
                                & (pl.col("seller_co") == investor))
    if deployed.height != 1:
        raise ValueError(f"per-GW investment of {investor}: expected one deployment window of its systems, "
                         f"found {deployed['deal_id'].to_list()}")
    already = equity.filter((pl.col("investor") == investor)
                            & (pl.col("overlap_group") == per_gw["overlap_group"]))["amount_usd_bn"].sum()
    reg.note("vendor_financing_per_gw_usd_bn", per_gw["value"], "USD bn per GW",
             f"{per_gw['basis']}: {per_gw['rule']}; {_cite(per_gw)}", f"registry deal_terms.csv {per_gw['deal_id']}")
    reg.note("vendor_financing_cap_usd_bn", ceiling["value"] - already, "USD bn",
             f"derived: stated ceiling {ceiling['value']:g} less {already:g} already invested as equity in the same "
             f"overlap group ({per_gw['overlap_group']}); {_cite(ceiling)}", "registry deal_terms.csv, deals.csv")
    return deployed["deal_id"][0], per_gw["value"], ceiling["value"] - already


def _warrant(reg: _Registry, deployments: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """Tranches of the warrant OpenAI holds, and the deal whose GW count towards its GW conditions."""
    rows = reg.terms.filter((pl.col("term_type") == "warrant_tranche") & (pl.col("buyer_co") == OPENAI)
                            & pl.col("item").str.starts_with("tranche_"))
    if rows["deal_id"].n_unique() != 1:
        raise ValueError(f"expected tranches of one OpenAI warrant, found {rows['deal_id'].unique().to_list()}")
    for row in rows.iter_rows(named=True):
        reg.note(f"warrant_{row['item']}_{row['unit']}", row["value"], row["unit"],
                 f"{row['basis']}: {row['rule']}; {_cite(row)}", f"registry deal_terms.csv {row['deal_id']}")
    tranches = rows.pivot(on="unit", index="item", values="value").select(
        pl.col("item").alias("tranche"),
        *[pl.col(c).cast(pl.Float64) for c in ("shares_m", "gw_condition", "price_condition_usd", "strike_usd")])
    issuer = rows["seller_co"][0]
    gw_deal = reg.deals.filter(pl.col("deal_id").is_in(deployments["deal_id"].unique().implode())
                               & (pl.col("seller_co") == issuer))["deal_id"]
    if gw_deal.len() != 1:
        raise ValueError(f"warrant of {issuer}: expected one deployment window of its GPUs, found {gw_deal.to_list()}")
    return tranches, gw_deal[0]


def _users_revenue(reg: _Registry) -> dict:
    """User and ARPU history, personal-share statements and the ARPU level."""
    users = reg.series("chatgpt_weekly_active_users")
    arpu = reg.series("arpu")
    for frame, unit in ((users, "million users"), (arpu, "USD per user")):
        for row in frame.iter_rows(named=True):
            reg.note(f"{row['metric']}@{month_text(month_number(row['month']))}", row["value"], unit,
                     f"{row['reliability']}: {_cite(row)}", f"registry metrics.csv {row['metric_id']}")

    columns = ["metric_id", "source_url", "source_document", "source_date", "reliability"]
    personal = reg.series("revenue_mix_personal_share").select("month", "value", *columns)
    enterprise = reg.series("revenue_mix_enterprise_share").filter(
        (pl.col("reliability") == "company_reported") & ~pl.col("month").is_in(personal["month"].implode())
    ).select("month", (1 - pl.col("value")).alias("value"), *columns)
    mix = pl.concat([personal, enterprise]).sort("month")
    for row in mix.iter_rows(named=True):
        rule = "" if row["metric_id"] in personal["metric_id"] else "derived: 1 - company-reported enterprise share; "
        reg.note(f"personal_share@{month_text(month_number(row['month']))}", row["value"], "share",
                 f"{rule}{row['reliability']}: {_cite(row)}", f"registry metrics.csv {row['metric_id']}")

    revenue = reg.latest("monthly_revenue")
    level_month = month_number(revenue["month"])
    known_users = users.filter(pl.col("month") <= revenue["month"]).row(-1, named=True)
    share = float(np.interp(level_month, [month_number(m) for m in mix["month"]], mix["value"].to_numpy()))
    level = revenue["value"] * share * 1000.0 / known_users["value"]
    reg.note("arpu_level_usd", level, "USD per user per month",
             f"derived: monthly revenue {revenue['value']:g} bn x personal share {share:.3f} / "
             f"{known_users['value']:g} M weekly users; {_cite(revenue)}",
             f"registry metrics.csv {revenue['metric_id']}, {known_users['metric_id']}")
    x = [month_number(m) for m in arpu["month"]]
    slope = float(np.polyfit(x, np.log(arpu["value"].to_numpy()), 1)[0])
    tracker = arpu["value"][-1] * np.exp(slope * (level_month - x[-1]))
    reg.note("arpu_drift_per_month", slope, "log per month",
             "derived: least-squares slope of log ARPU (app tracker)", "registry metrics.csv arpu")
    reg.note("arpu_level_vs_tracker", level / tracker, "ratio",
             "derived: ARPU level from reported revenue / tracker ARPU extrapolated to the same month; "
             "the tracker does not reconcile with reported revenue (README), so the level comes from revenue",
             "registry metrics.csv")
    return {
        "user_history": users.select("month", pl.col("value").alias("users_m")),
        "arpu_history": arpu.select("month", pl.col("value").alias("arpu_usd")),
        "personal_share": mix.select("month", pl.col("value").alias("personal_share")),
        "arpu_level_usd": level,
        "arpu_level_month": revenue["month"],
    }


def inputs_from_registry(registry_dir: str | Path, amd_prices: pl.DataFrame, *,
                         end_month: date = HORIZON_END) -> SimulationInputs:
    """Build the engine's inputs from the registry CSVs and a daily AMD price series (`trade_date, close`)."""
    reg = _Registry(Path(registry_dir))

    cash = reg.latest("cash_and_securities")
    start = month_number(cash["last_month"]) + 1
    reg.note("starting_cash_usd_bn", cash["value"], "USD bn", f"{cash['reliability']}: {_cite(cash)}",
             f"registry metrics.csv {cash['metric_id']} ({cash['period']})")

    revenue_2025, burn_2025 = reg.latest("revenue", "2025"), reg.latest("cash_burn", "2025")
    base_first, base_last = period_months("2025")
    other_opex = revenue_2025["value"] + burn_2025["value"]
    reg.note("other_opex_usd_bn", other_opex, "USD bn per year",
             f"derived: 2025 revenue {revenue_2025['value']:g} ({_cite(revenue_2025)}) + 2025 cash burn "
             f"{burn_2025['value']:g} ({_cite(burn_2025)}) = cash operating costs of 2025, incl. the compute used then",
             f"registry metrics.csv {revenue_2025['metric_id']}, {burn_2025['metric_id']}")

    deployments = _deployments(reg)
    equity = _equity_payments(reg)
    suppliers = _suppliers(reg)
    vf_deal, per_gw, cap = _vendor_financing(reg, deployments, equity)
    in_horizon = equity.filter(pl.col("month") >= start)
    for row in in_horizon.iter_rows(named=True):
        reg.note(f"equity_inflow:{row['deal_id']}@{month_text(row['month'])}", row["amount_usd_bn"], "USD bn",
                 f"stated: {row['source']}", f"registry {row['estimated_from']}")
    tranches, warrant_deal = _warrant(reg, deployments)

    gbm = estimate_gbm(amd_prices, AMD_WINDOW_YEARS)
    for name, value, unit in (("amd_mu_annual", gbm.mu_annual, "per year"),
                              ("amd_sigma_annual", gbm.sigma_annual, "per year")):
        reg.note(name, value, unit, f"estimated: {gbm.window}", "AMD daily prices (core.prices)")
    reg.note("amd_s0_usd", gbm.s0, "USD", f"last close, {gbm.s0_date}", "AMD daily prices (core.prices)")
    s0_month = date(gbm.s0_date.year, gbm.s0_date.month, 1)

    return SimulationInputs(
        start_month=month_date(start),
        end_month=end_month,
        starting_cash_usd_bn=cash["value"],
        **_users_revenue(reg),
        commitments=_commitments(reg, base_last),
        deployments=deployments,
        equity_inflows=in_horizon.select(
            "deal_id", pl.col("month").map_elements(month_date, return_dtype=pl.Date), "amount_usd_bn",
            pl.col("investor").is_in(list(suppliers)).alias("from_supplier")),
        vendor_financing_deal=vf_deal,
        vendor_financing_per_gw_usd_bn=per_gw,
        vendor_financing_cap_usd_bn=cap,
        amd_s0_usd=gbm.s0,
        amd_s0_month=s0_month,
        amd_history=month_end_closes(amd_prices, month_date(start), s0_month),
        amd_mu_annual=gbm.mu_annual,
        amd_sigma_annual=gbm.sigma_annual,
        amd_window=gbm.window,
        warrant_tranches=tranches,
        warrant_gw_deal=warrant_deal,
        other_opex_usd_bn=other_opex,
        other_opex_base_month=month_date(base_first + 6),
        provenance=pl.DataFrame(reg.rows, orient="row", schema={
            "parameter": pl.String, "value": pl.Float64, "unit": pl.String,
            "source_or_assumption": pl.String, "estimated_from": pl.String}),
    )
