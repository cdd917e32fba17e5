"""`SimulationInputs`: everything the engine takes from data, as plain numbers and small frames.

This is the engine's input boundary, filled from the warehouse tables by `warehouse_inputs.py`
(or by hand in tests); the engine sees only these fields.
Money is in USD bn, users in millions, GW in gigawatts, months are `pl.Date` / `date` values on
the first of the month.

How each deal is paid (data/registry deal_terms `payment_model`) is decided in deal_inputs.py;
here a rented (cloud_capacity) deal arrives as monthly payments, a bought (own_capex) one as GW
per month whose cost per GW is the scenario's, and the NVIDIA letter of intent as one own_capex
deal (`loi_deal`) whose GW and per-GW money happen only on the paths where the LOI does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from assets.simulation.months import month_number

_FRAMES: dict[str, dict[str, type[pl.DataType]]] = {
    "user_history": {"month": pl.Date, "users_m": pl.Float64},
    "arpu_history": {"month": pl.Date, "arpu_usd": pl.Float64},
    "personal_share": {"month": pl.Date, "personal_share": pl.Float64},
    "cloud_payments": {"deal_id": pl.String, "month": pl.Date, "amount_usd_bn": pl.Float64, "delayed": pl.Boolean},
    "deal_suppliers": {"deal_id": pl.String, "supplier": pl.String, "payment_model": pl.String},
    "deployments": {"deal_id": pl.String, "month": pl.Date, "gw": pl.Float64, "supplier": pl.String},
    "equity_inflows": {"deal_id": pl.String, "month": pl.Date, "amount_usd_bn": pl.Float64,
                       "from_supplier": pl.Boolean, "investor": pl.String},
    "amd_history": {"month": pl.Date, "close_usd": pl.Float64},
    "warrant_tranches": {"tranche": pl.String, "shares_m": pl.Float64, "gw_condition": pl.Float64,
                         "price_condition_usd": pl.Float64, "strike_usd": pl.Float64},
    "reported_history": {"metric": pl.String, "first": pl.Int64, "last": pl.Int64, "value": pl.Float64,
                         "source_date": pl.Date},
    "provenance": {"parameter": pl.String, "value": pl.Float64, "unit": pl.String,
                   "source_or_assumption": pl.String, "estimated_from": pl.String},
}


@dataclass(frozen=True, eq=False)
class SimulationInputs:
    """The data side of the model (the uncertain side is `ScenarioParams`).

    Horizon and cash
        start_month: first simulated month (the month after the last reported cash balance).
        end_month: last simulated month (2030-12 by default; a run may shorten or extend it).
        starting_cash_usd_bn: cash and securities at the end of the month before `start_month`.

    Revenue
        user_history: `month, users_m` — reported weekly active users; the logistic is fitted to them.
        arpu_history: `month, arpu_usd` — ARPU points whose log-linear slope is the ARPU drift.
        arpu_level_usd, arpu_level_month: ARPU (USD per user per month) in that month, the level
            the drift starts from.
        personal_share: `month, personal_share` — statements of the personal (consumer) share of
            total revenue; total revenue = consumer revenue / personal share.

    Compute and financing
        cloud_payments: `deal_id, month, amount_usd_bn, delayed` — rented capacity paid as it is
            delivered; `delayed`: its deliveries start in the simulated months, so a path's delay
            postpones the first months (which are then not delivered and not paid).
        deployments: `deal_id, month, gw, supplier` — GW of each bought (own_capex) deal per month,
            before delays and before `own_capex_share`.
        deal_suppliers: `deal_id, supplier, payment_model` — who is paid for each spend deal.
        loi_deal: the `deployments` deal that happens only with the NVIDIA letter of intent.
        equity_inflows: `deal_id, month, amount_usd_bn, from_supplier, investor` — raised rounds
            paid in the horizon (`from_supplier`: the investor also sells compute to OpenAI).
        vendor_financing_per_gw_usd_bn: money per GW of `loi_deal` brought online (LOI paths only).
        vendor_financing_cap_usd_bn: the most it can add up to.
        vendor_financing_investor: who pays it (a supplier: NVIDIA).
        base_gw_online: GW online at the latest reported figure (paid inside the other costs).
        revenue_per_gw_year_usd_bn, revenue_per_gw_month: revenue one GW online served in a year
            of reported figures, and the month that level is centred on.

    AMD and the warrant
        amd_s0_usd, amd_s0_month: the latest close in the warehouse and its month; the GBM starts
            after it (also from before start_month, when the prices end earlier).
        amd_history: `month, close_usd` — month-end closes for horizon months up to `amd_s0_month`.
        amd_mu_annual, amd_sigma_annual: GBM drift (arithmetic) and volatility per year.
        amd_window: how they were estimated (dates, number of returns, annualisation).
        warrant_tranches: `tranche, shares_m, gw_condition, price_condition_usd, strike_usd`.
        warrant_gw_deal: the `deployments` deal whose GW count towards the GW conditions.

    Costs
        other_opex_usd_bn: operating costs of the base year outside the modelled deals (USD bn/yr).
        other_opex_base_month: the month that yearly figure is centred on; growth counts from it.
            Commitments due up to the end of the base year are inside this figure.

    reported_history: `metric, first, last, value, source_date` — reported `revenue` and `cash_burn`
        with their first and last absolute month (the anchor comparison's history months).
    provenance: `parameter, value, unit, source_or_assumption, estimated_from` for every figure
        above, as shown in `sim.scenario_inputs`.
    """

    start_month: date
    end_month: date
    starting_cash_usd_bn: float
    user_history: pl.DataFrame
    arpu_history: pl.DataFrame
    arpu_level_usd: float
    arpu_level_month: date
    personal_share: pl.DataFrame
    cloud_payments: pl.DataFrame
    deployments: pl.DataFrame
    deal_suppliers: pl.DataFrame
    loi_deal: str
    equity_inflows: pl.DataFrame
    vendor_financing_per_gw_usd_bn: float
    vendor_financing_cap_usd_bn: float
    vendor_financing_investor: str
    base_gw_online: float
    revenue_per_gw_year_usd_bn: float
    revenue_per_gw_month: date
    amd_s0_usd: float
    amd_s0_month: date
    amd_history: pl.DataFrame
    amd_mu_annual: float
    amd_sigma_annual: float
    amd_window: str
    warrant_tranches: pl.DataFrame
    warrant_gw_deal: str
    other_opex_usd_bn: float
    other_opex_base_month: date
    reported_history: pl.DataFrame
    provenance: pl.DataFrame

    def __post_init__(self) -> None:
        for name, schema in _FRAMES.items():
            frame: pl.DataFrame = getattr(self, name)
            if dict(frame.schema) != schema:
                raise ValueError(f"SimulationInputs.{name}: schema {dict(frame.schema)} != {schema}")
        if month_number(self.end_month) < month_number(self.start_month):
            raise ValueError(f"end_month {self.end_month} before start_month {self.start_month}")
        for name in ("user_history", "arpu_history", "personal_share", "amd_history"):
            months = getattr(self, name)["month"]
            if months.n_unique() != months.len():
                raise ValueError(f"SimulationInputs.{name}: a month appears twice")
        if self.user_history.height < 2:
            raise ValueError("user_history needs at least two months to fit a logistic curve")
        if self.arpu_history.height < 2:
            raise ValueError("arpu_history needs at least two months to estimate a drift")
        if self.personal_share.is_empty() or not self.personal_share["personal_share"].is_between(0, 1, closed="right").all():
            raise ValueError("personal_share needs at least one statement, each in (0, 1]")
        for deal in (self.loi_deal, self.warrant_gw_deal):
            if deal not in set(self.deployments["deal_id"]):
                raise ValueError(f"{deal!r} has no rows in deployments")

    @property
    def n_months(self) -> int:
        """Number of simulated months, start and end included."""
        return month_number(self.end_month) - month_number(self.start_month) + 1
