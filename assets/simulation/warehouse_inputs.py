"""Build `SimulationInputs` from the warehouse: the frames of the SELECTs in sql/sim/<name>.sql.

The Dagster asset runs those queries (`read_input_tables` in warehouse_tables.py) and hands the
frames to `inputs_from_tables`; this module is pure polars, so the engine stays free of DuckDB.
Change a registry figure, rebuild the marts, and the inputs follow. Each input and its table:

| input | query | table(s) it reads |
| --- | --- | --- |
| starting_cash_usd_bn, start_month | metrics | raw.openai_metrics `cash_and_securities`, latest period; the month after it |
| other_opex_usd_bn | metrics | raw.openai_metrics `revenue` + `cash_burn` of 2025 |
| user_history, arpu_history, arpu_level, personal_share | metrics | raw.openai_metrics users, `arpu`, `monthly_revenue`, revenue mix |
| base_gw_online, revenue_per_gw_year_usd_bn | metrics | raw.openai_metrics `compute_capacity_online`, `revenue` |
| cloud_payments, deal_suppliers | payment_models, cloud_schedules | raw.deal_terms `payment_model` and `payment_schedule`, core.deal_flows |
| deployments, loi_deal | deployments | raw.deal_terms `deployment_window` (GW) of the own_capex deals |
| equity_inflows | equity | raw.deal_terms `payment_schedule` of equity into OpenAI, else core.deal_flows exact amounts |
| vendor_financing_* | per_gw_investment, equity | raw.deal_terms `per_gw_investment`; cap less the equity of the same overlap group |
| warrant_tranches, warrant_gw_deal | warrant_tranches, deployments | mart.warrant_tranches (holder OpenAI, counted rows) |
| amd_* | amd_closes | core.prices, ticker AMD, `close` (the start price is the latest close) |

Rules, each visible in `provenance` (sim.scenario_inputs):

* duplicates: the latest period wins, then the latest `source_date`; flagged figures are left out;
* overlap groups (data/registry/README.md): only the group's counted deal (`counts_in_totals`);
* every counted deal with OpenAI as a party is paid by its payment model or listed (deal_inputs);
* an equity payment whose period is a year but whose deal was announced later in that year is
  paid in the announcement month; payments without a period (conditional money) are not raised;
* months before `start_month` are history: their payments and rounds are in the starting cash;
* NVIDIA's per-GW money is capped at its stated ceiling less the equity the same investor put in
  through the same overlap group (the 30 bn of Feb 2026 replaced the LOI in practice).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from assets.simulation import deal_inputs
from assets.simulation.amd_gbm import estimate_gbm, month_end_closes
from assets.simulation.inputs import SimulationInputs
from assets.simulation.metric_inputs import Metrics, compute_base, other_opex, starting_cash, users_revenue
from assets.simulation.months import month_date, month_number, month_text
from assets.simulation.provenance import Notes

HORIZON_END = date(2030, 12, 1)
AMD_WINDOW_YEARS = 5
MIN_AMD_RETURNS = 250  # about a year of trading days: fewer cannot estimate a yearly drift and volatility
# The SELECTs the inputs are built from: sql/sim/<name>.sql, one frame each.
INPUT_TABLES = ("metrics", "payment_models", "cloud_schedules", "deployments", "equity", "per_gw_investment",
                "warrant_tranches", "amd_closes")


class NotEnoughData(ValueError):
    """The warehouse lacks what the simulation needs (e.g. AMD's price history): it is skipped, not failed."""


def inputs_from_tables(*, metrics: pl.DataFrame, payment_models: pl.DataFrame, cloud_schedules: pl.DataFrame,
                       deployments: pl.DataFrame, equity: pl.DataFrame, per_gw_investment: pl.DataFrame,
                       warrant_tranches: pl.DataFrame, amd_closes: pl.DataFrame,
                       end_month: date = HORIZON_END) -> SimulationInputs:
    """The engine's inputs from the frames of sql/sim/*.sql (keyword names = `INPUT_TABLES`).

    Raises NotEnoughData when core.prices holds too little of AMD to estimate its price model.
    """
    if amd_closes.height < MIN_AMD_RETURNS + 1:
        raise NotEnoughData(
            f"the simulation needs at least {MIN_AMD_RETURNS + 1} daily AMD closes in core.prices to estimate AMD's "
            f"price model (drift and volatility); the warehouse has {amd_closes.height}. Include AMD in "
            "PERPETUUM_TICKERS and start PERPETUUM_START_DATE at least a year back (the default covers 5 years)")
    notes = Notes()
    reported = Metrics(metrics, notes)
    start, cash = starting_cash(reported)
    opex, opex_month, _ = other_opex(reported)
    end = month_number(end_month)

    deployed = deal_inputs.deployments(deployments, notes)
    cloud = deal_inputs.payment_plan(payment_models, cloud_schedules, notes, start, end)
    equity_paid = deal_inputs.equity_payments(equity, notes)
    loi_deal, per_gw, cap, investor = deal_inputs.vendor_financing(per_gw_investment, deployments, equity_paid, notes)
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
    spend_deals = payment_models.filter(pl.col("payment_model").is_in(deal_inputs.SPEND_MODELS)).select(
        "deal_id", pl.col("counterparty").alias("supplier"), "payment_model")

    return SimulationInputs(
        start_month=month_date(start),
        end_month=end_month,
        starting_cash_usd_bn=cash,
        **revenue_side,
        **compute_base(reported),
        cloud_payments=cloud,
        deployments=deployed,
        deal_suppliers=spend_deals,
        loi_deal=loi_deal,
        equity_inflows=in_horizon.select(
            "deal_id", pl.col("month").map_elements(month_date, return_dtype=pl.Date), "amount_usd_bn",
            "from_supplier", "investor"),
        vendor_financing_per_gw_usd_bn=per_gw,
        vendor_financing_cap_usd_bn=cap,
        vendor_financing_investor=investor,
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
        reported_history=reported.frame.filter(pl.col("metric").is_in(["revenue", "cash_burn"])).select(
            "metric", first=(pl.col("month").dt.year() * 12 + pl.col("month").dt.month() - 1).cast(pl.Int64),
            last=(pl.col("last_month").dt.year() * 12 + pl.col("last_month").dt.month() - 1).cast(pl.Int64),
            value="value",
            source_date=pl.col("source_date").cast(pl.Date)),
        provenance=notes.frame(),
    )
