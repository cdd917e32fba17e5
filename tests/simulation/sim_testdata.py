"""Test data for the simulation engine: a small hand-made input set and deterministic parameters."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from assets.simulation.inputs import SimulationInputs
from assets.simulation.params import ScenarioParams

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "data" / "registry"
REGISTRY_TODAY = date(2026, 11, 23)  # the registry's cut-off: no registry date lies after it

# Deterministic settings: no ceiling, ARPU, revenue-per-GW or AMD noise, no delay, the NVIDIA LOI always on.
QUIET = ScenarioParams(
    user_ceiling_median_m=300.0, user_ceiling_log_sd=0.0, arpu_drift_scale=1.0, arpu_vol_annual=0.0,
    personal_share_target=0.5, personal_share_target_yyyymm=202612, delay_mean_months=0.0,
    nvidia_loi_probability=1.0, own_capex_share=1.0, nvidia_cost_per_gw_usd_bn=12.0,
    cloud_rent_per_gw_year_usd_bn=12.0, revenue_per_gw_growth_annual=0.0, revenue_per_gw_log_sd=0.0,
    other_opex_growth_annual=0.1, amd_drift_scale=1.0, warrant_discount_rate_annual=0.0,
)


def monthly(deal: str, first: date, values: list[float], column: str) -> pl.DataFrame:
    """`deal_id, month, <column>` with one value per month from `first`."""
    months = pl.date_range(first, date(first.year + 5, 1, 1), "1mo", eager=True)[: len(values)]
    return pl.DataFrame({"deal_id": deal, "month": months, column: values})


def toy_inputs(**changes) -> SimulationInputs:
    """Two years (2026-01 .. 2027-12) of small round numbers; keyword arguments replace fields."""
    fields = dict(
        start_month=date(2026, 1, 1),
        end_month=date(2027, 12, 1),
        starting_cash_usd_bn=5.0,
        user_history=pl.DataFrame({"month": [date(2025, 6, 1), date(2025, 9, 1), date(2025, 12, 1)],
                                   "users_m": [100.0, 140.0, 160.0]}),
        arpu_history=pl.DataFrame({"month": [date(2025, 1, 1), date(2025, 12, 1)], "arpu_usd": [1.0, 1.1]}),
        arpu_level_usd=2.0,
        arpu_level_month=date(2026, 3, 1),
        personal_share=pl.DataFrame({"month": [date(2025, 10, 1), date(2026, 4, 1)], "personal_share": [0.8, 0.7]}),
        cloud_payments=monthly("CLOUD", date(2026, 1, 1), [1.0] * 24, "amount_usd_bn").with_columns(
            delayed=pl.lit(False)),
        deployments=monthly("CHIP", date(2026, 3, 1), [1.0] * 6, "gw").with_columns(supplier=pl.lit("NVIDIA")),
        deal_suppliers=pl.DataFrame({"deal_id": ["CLOUD", "CHIP"], "supplier": ["Oracle", "NVIDIA"],
                                     "payment_model": ["cloud_capacity", "own_capex"]}),
        loi_deal="CHIP",
        equity_inflows=pl.DataFrame({"deal_id": ["SUPPLIER", "FUND"], "month": [date(2026, 2, 1), date(2026, 5, 1)],
                                     "amount_usd_bn": [20.0, 5.0], "from_supplier": [True, False],
                                     "investor": ["NVIDIA", "Fund"]}),
        vendor_financing_per_gw_usd_bn=10.0,
        vendor_financing_cap_usd_bn=45.0,
        vendor_financing_investor="NVIDIA",
        base_gw_online=0.5,
        revenue_per_gw_year_usd_bn=1.5,
        revenue_per_gw_month=date(2025, 7, 1),
        amd_s0_usd=100.0,
        amd_s0_month=date(2025, 12, 1),
        amd_history=pl.DataFrame(schema={"month": pl.Date, "close_usd": pl.Float64}),
        amd_mu_annual=0.3,
        amd_sigma_annual=0.0,
        amd_window="test",
        warrant_tranches=pl.DataFrame({"tranche": ["t1", "t2", "t3"], "shares_m": [10.0, 10.0, 10.0],
                                       "gw_condition": [2.0, 5.0, 6.0], "price_condition_usd": [105.0, 150.0, 1000.0],
                                       "strike_usd": [1.0, 1.0, 1.0]}),
        warrant_gw_deal="CHIP",
        other_opex_usd_bn=12.0,
        other_opex_base_month=date(2025, 7, 1),
        reported_history=pl.DataFrame(schema={"metric": pl.String, "first": pl.Int64, "last": pl.Int64,
                                              "value": pl.Float64, "source_date": pl.Date}),
        provenance=pl.DataFrame(schema={"parameter": pl.String, "value": pl.Float64, "unit": pl.String,
                                        "source_or_assumption": pl.String, "estimated_from": pl.String}),
    )
    fields.update(changes)
    return SimulationInputs(**fields)
