"""Build `SimulationInputs` from the warehouse: the frames of the SELECTs in sql/sim/<name>.sql.

The Dagster asset runs those queries (`read_input_tables` in warehouse_tables.py) and hands the
frames to `inputs_from_tables`; this module is pure polars, so the engine stays free of DuckDB.
Change a registry figure, rebuild the marts, and the inputs follow. Each input and its table:

| input | query | table(s) it reads |
| --- | --- | --- |
| starting_cash_usd_bn, start_month | metrics | raw.openai_metrics `cash_and_securities`, latest period; the month after it |
| other_opex_usd_bn | metrics | raw.openai_metrics `revenue` + `cash_burn` of 2025 |
| user_history | metrics | raw.openai_metrics `chatgpt_weekly_active_users` |
| arpu_history | metrics | raw.openai_metrics `arpu` (app tracker; the drift only) |
| arpu_level_usd/month | metrics | raw.openai_metrics latest `monthly_revenue` x personal share / latest users at or before it |
| personal_share | metrics | raw.openai_metrics `revenue_mix_personal_share`; 1 - company-reported `revenue_mix_enterprise_share` |
| commitments | commitments | mart.commitment_schedule (counted deals per year and counterparty), split into its deals and payment terms (raw.deal_terms lines it lists, core.deal_flows), spread monthly |
| deployments | deployments | raw.deal_terms `deployment_window` (GW) of the counted purchase commitments OpenAI pays (core.deal_flows) |
| equity_inflows | equity | raw.deal_terms `payment_schedule` of equity into OpenAI, else core.deal_flows exact amounts; suppliers from mart.vendor_financing |
| vendor_financing_* | per_gw_investment, equity | raw.deal_terms `per_gw_investment`; cap less the equity of the same overlap group (core.deal_flows) |
| warrant_tranches, warrant_gw_deal | warrant_tranches, deployments | mart.warrant_tranches (holder OpenAI, counted rows) |
| amd_* | amd_closes | core.prices, ticker AMD, `close` |

(The scenario's cost per GW of deals without a value comes from scenarios.csv, sourced from
estimates.csv; mart.cost_per_gw shows the same estimates.) Rules, each visible in `provenance`:

* duplicates: the latest period wins, then the latest `source_date`; flagged figures are left out;
* overlap groups (data/registry/README.md): only the group's counted deal (`counts_in_totals`);
* commitments are the mart's: a term inside one calendar year is paid over its own months, a
  fiscal-year term over the calendar year the mart puts it in (FY2028 -> 2028), an even split
  (mart rule 2) over the months of each year inside the deal's term; the deals of a mart row
  must add up to the mart's figure. Commitments the mart does not spread are listed, not paid;
* an equity payment whose period is a year but whose deal was announced later in that year is
  paid in the announcement month;
* payments due in the base year of the other operating costs (2025) are inside those costs;
* payments dated before `start_month` are in the starting cash; stock figures (`cumulative_*`)
  and payments without a period (conditional money) are not cash inflows;
* a deployment window without an end runs to `OPEN_WINDOW_END` (assumption);
* NVIDIA's per-GW money is capped at its stated ceiling less the equity the same investor put in
  through the same overlap group (the 30 bn of Feb 2026 replaced the LOI in practice).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from assets.simulation import deal_inputs
from assets.simulation.amd_gbm import estimate_gbm, month_end_closes
from assets.simulation.inputs import SimulationInputs
from assets.simulation.metric_inputs import Metrics, other_opex, starting_cash, users_revenue
from assets.simulation.months import month_date, month_text
from assets.simulation.provenance import Notes

HORIZON_END = date(2030, 12, 1)
AMD_WINDOW_YEARS = 5
# The SELECTs the inputs are built from: sql/sim/<name>.sql, one frame each.
INPUT_TABLES = ("metrics", "commitments", "deployments", "equity", "per_gw_investment", "warrant_tranches",
                "amd_closes")


def inputs_from_tables(*, metrics: pl.DataFrame, commitments: pl.DataFrame, deployments: pl.DataFrame,
                       equity: pl.DataFrame, per_gw_investment: pl.DataFrame, warrant_tranches: pl.DataFrame,
                       amd_closes: pl.DataFrame, end_month: date = HORIZON_END) -> SimulationInputs:
    """The engine's inputs from the frames of sql/sim/*.sql (keyword names = `INPUT_TABLES`)."""
    notes = Notes()
    reported = Metrics(metrics, notes)
    start, cash = starting_cash(reported)
    opex, opex_month, base_year_end = other_opex(reported)

    deployed = deal_inputs.deployments(deployments, notes)
    equity_paid = deal_inputs.equity_payments(equity, notes)
    vf_deal, per_gw, cap = deal_inputs.vendor_financing(per_gw_investment, deployments, equity_paid, notes)
    in_horizon = equity_paid.filter(pl.col("month") >= start)
    for row in in_horizon.iter_rows(named=True):
        notes.add(f"equity_inflow:{row['deal_id']}@{month_text(row['month'])}", row["amount_usd_bn"], "USD bn",
                  f"stated: {row['source']}", row["estimated_from"])
    tranches, warrant_deal = deal_inputs.warrant(warrant_tranches, deployments, notes)

    gbm = estimate_gbm(amd_closes, AMD_WINDOW_YEARS)
    for name, value in (("amd_mu_annual", gbm.mu_annual), ("amd_sigma_annual", gbm.sigma_annual)):
        notes.add(name, value, "per year", f"estimated: {gbm.window}", "core.prices AMD close")
    notes.add("amd_s0_usd", gbm.s0, "USD", f"last close, {gbm.s0_date}", "core.prices AMD close")
    s0_month = date(gbm.s0_date.year, gbm.s0_date.month, 1)
    revenue_side = users_revenue(reported)

    return SimulationInputs(
        start_month=month_date(start),
        end_month=end_month,
        starting_cash_usd_bn=cash,
        **revenue_side,
        commitments=deal_inputs.commitments(commitments, notes, base_year_end),
        deployments=deployed,
        equity_inflows=in_horizon.select(
            "deal_id", pl.col("month").map_elements(month_date, return_dtype=pl.Date), "amount_usd_bn",
            "from_supplier"),
        vendor_financing_deal=vf_deal,
        vendor_financing_per_gw_usd_bn=per_gw,
        vendor_financing_cap_usd_bn=cap,
        amd_s0_usd=gbm.s0,
        amd_s0_month=s0_month,
        amd_history=month_end_closes(amd_closes, month_date(start), s0_month),
        amd_mu_annual=gbm.mu_annual,
        amd_sigma_annual=gbm.sigma_annual,
        amd_window=gbm.window,
        warrant_tranches=tranches,
        warrant_gw_deal=warrant_deal,
        other_opex_usd_bn=opex,
        other_opex_base_month=opex_month,
        provenance=notes.frame(),
    )
