"""`Model`: the deterministic part of one scenario, precomputed once as numpy arrays.

Everything that does not depend on a path's random draws is computed here: the month grid, the
revenue mix, other costs, equity inflows, and — because a path's deployment delay is a whole
number of months — every delay-dependent schedule as a month-major table with one column per
possible delay (`table[m, d]`). A path then reads its column; no per-path schedule is rebuilt.

Delays are capped at the horizon length: a delay that long already pushes every deployment of
the horizon past its end. Deployments and payments dated before `start_month` are history: GW
already online count from the first month, payments already made are in the starting cash.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from assets.simulation.inputs import SimulationInputs
from assets.simulation.months import from_yyyymm, month_date, month_number
from assets.simulation.params import ScenarioParams

GW_TOLERANCE = 1e-9  # cumulative GW built from monthly fractions may fall short of a whole GW by rounding


@dataclass(frozen=True)
class Model:
    """Arrays the path engine reads. `M` = months, `D` = largest delay (= M), `T` = tranches."""

    start: int                   # absolute month number of the first month
    n_months: int
    # users: logistic through the last reported point, ceiling = users_max + lognormal headroom
    user_tau: np.ndarray         # (H,) months of the user history, relative to start
    user_values: np.ndarray      # (H,) users, million
    anchor_tau: int              # month of the latest user figure, relative to start
    anchor_users: float
    users_max: float
    headroom_median: float
    headroom_log_sd: float
    # ARPU: log level + drift * (m - level month), plus a random walk after the level month
    log_arpu_trend: np.ndarray   # (M,)
    arpu_tau: int                # level month relative to start
    arpu_vol_month: float
    n_arpu_steps: int
    # deterministic monthly flows (USD bn)
    personal_share: np.ndarray   # (M,)
    other_opex: np.ndarray       # (M,)
    equity: np.ndarray           # (M,)
    supplier_equity: np.ndarray  # (M,)
    starting_cash: float
    # delay tables, column d = delay of d months
    delay_success: float         # geometric parameter p = 1 / (1 + mean); 1 means no delay
    compute_spend: np.ndarray    # (M, D+1) USD bn per month
    gw_online: np.ndarray        # (M, D+1) GW online from the modelled deals
    vendor_flow: np.ndarray      # (M, D+1) per-GW vendor financing per month if the LOI is on
    loi_probability: float
    # AMD and the warrant
    amd_known: np.ndarray        # (K,) month-end closes of the first K months (K may be 0)
    amd_s0: float
    amd_step_mean: float         # mean of a monthly log step
    amd_step_sd: float           # sd of a monthly log step
    n_amd_steps: int
    amd_target: float            # the highest price condition (600 USD)
    tranche_shares: np.ndarray   # (T,) million shares
    tranche_price: np.ndarray    # (T,) USD
    tranche_strike: np.ndarray   # (T,) USD
    tranche_gw_month: np.ndarray  # (T, D+1) first month the GW condition holds, M if never
    year_end_index: np.ndarray   # horizon indexes of the December months

    @property
    def max_delay(self) -> int:
        return self.compute_spend.shape[1] - 1


def _relative(months: pl.Series, start: int) -> np.ndarray:
    return np.array([month_number(m) - start for m in months], dtype=np.int64)


def _monthly(frame: pl.DataFrame, value: str, start: int, n_months: int) -> tuple[np.ndarray, float]:
    """Sum `value` per horizon month; also return the total dated before the horizon."""
    out = np.zeros(n_months)
    before = 0.0
    for month, amount in frame.select("month", value).iter_rows():
        index = month_number(month) - start
        if index < 0:
            before += amount
        elif index < n_months:
            out[index] += amount
    return out, before


def _delay_table(series: np.ndarray, max_delay: int) -> np.ndarray:
    """Row d = `series` shifted d months later, zeros in front (what arrives in month m is series[m - d])."""
    table = np.zeros((max_delay + 1, series.size))
    for d in range(min(max_delay, series.size - 1) + 1):
        table[d, d:] = series[: series.size - d]
    return table


def _personal_share(inputs: SimulationInputs, params: ScenarioParams, months: np.ndarray) -> np.ndarray:
    """Linear through the statements, then to the target; flat before the first and after the last point."""
    points = inputs.personal_share.sort("month")
    x = [month_number(m) for m in points["month"]]
    y = points["personal_share"].to_list()
    x.append(max(from_yyyymm(params.personal_share_target_yyyymm), x[-1] + 1))
    y.append(params.personal_share_target)
    return np.interp(months, x, y)


def _arpu_drift(history: pl.DataFrame) -> float:
    """Least-squares slope of log ARPU on the month number (per month)."""
    x = np.array([month_number(m) for m in history["month"]], dtype=float)
    y = np.log(history["arpu_usd"].to_numpy())
    return float(np.polyfit(x, y, 1)[0])


def build_model(inputs: SimulationInputs, params: ScenarioParams) -> Model:
    """Precompute the deterministic arrays of one scenario."""
    start, n = month_number(inputs.start_month), inputs.n_months
    months = np.arange(start, start + n)
    max_delay = n

    users = inputs.user_history.sort("month")
    user_tau = _relative(users["month"], start)
    user_values = users["users_m"].to_numpy()
    users_max = float(user_values.max())
    if params.user_ceiling_median_m <= users_max:
        raise ValueError(f"user_ceiling_median_m {params.user_ceiling_median_m} must exceed the largest "
                         f"reported user count {users_max}")

    arpu_tau = month_number(inputs.arpu_level_month) - start
    drift = params.arpu_drift_scale * _arpu_drift(inputs.arpu_history)
    log_arpu_trend = np.log(inputs.arpu_level_usd) + drift * (np.arange(n) - arpu_tau)

    other_opex = (inputs.other_opex_usd_bn / 12.0) * (1.0 + params.other_opex_growth_annual) ** (
        (months - month_number(inputs.other_opex_base_month)) / 12.0)
    equity, _ = _monthly(inputs.equity_inflows, "amount_usd_bn", start, n)
    supplier_equity, _ = _monthly(inputs.equity_inflows.filter("from_supplier"), "amount_usd_bn", start, n)

    deployed_deals = set(inputs.deployments["deal_id"])
    paid_deals = set(inputs.commitments["deal_id"])
    fixed, _ = _monthly(inputs.commitments.filter(~pl.col("deal_id").is_in(deployed_deals)), "amount_usd_bn", start, n)
    deferred, _ = _monthly(inputs.commitments.filter(pl.col("deal_id").is_in(deployed_deals)), "amount_usd_bn", start, n)
    per_gw_new, _ = _monthly(inputs.deployments.filter(~pl.col("deal_id").is_in(paid_deals)), "gw", start, n)
    compute_spend = fixed + _delay_table(deferred + params.chip_spend_per_gw_usd_bn * per_gw_new, max_delay)

    def cumulative_gw(deal_ids: set[str]) -> tuple[np.ndarray, float]:
        """(D+1, M) GW online from these deals, and the GW they had online before the horizon."""
        new, before = _monthly(inputs.deployments.filter(pl.col("deal_id").is_in(deal_ids)), "gw", start, n)
        return before + np.cumsum(_delay_table(new, max_delay), axis=1), before

    gw_online, _ = cumulative_gw(deployed_deals)
    financed_gw, financed_before = cumulative_gw({inputs.vendor_financing_deal})
    cap, per_gw = inputs.vendor_financing_cap_usd_bn, inputs.vendor_financing_per_gw_usd_bn
    financed = np.minimum(cap, per_gw * financed_gw) - min(cap, per_gw * financed_before)
    vendor_flow = np.diff(financed, axis=1, prepend=0.0)

    amd_gw, _ = cumulative_gw({inputs.warrant_gw_deal})
    tranches = inputs.warrant_tranches.sort("gw_condition", "price_condition_usd")
    conditions = tranches["gw_condition"].to_numpy()
    reached = amd_gw[None, :, :] >= conditions[:, None, None] - GW_TOLERANCE
    tranche_gw_month = np.where(reached.any(axis=2), reached.argmax(axis=2), n)

    amd_tau = month_number(inputs.amd_s0_month) - start
    closes = dict(inputs.amd_history.select("month", "close_usd").iter_rows())
    known_months = [month_date(number) for number in range(start, start + max(0, min(amd_tau + 1, n)))]
    missing = [m for m in known_months if m not in closes]
    if missing:
        raise ValueError(f"amd_history lacks the month-end close of {missing[0]} (needed up to {inputs.amd_s0_month})")
    amd_known = np.array([closes[m] for m in known_months], dtype=float)
    mu, sigma = params.amd_drift_scale * inputs.amd_mu_annual, inputs.amd_sigma_annual

    return Model(
        start=start,
        n_months=n,
        user_tau=user_tau,
        user_values=user_values,
        anchor_tau=int(user_tau[-1]),
        anchor_users=float(user_values[-1]),
        users_max=users_max,
        headroom_median=params.user_ceiling_median_m - users_max,
        headroom_log_sd=params.user_ceiling_log_sd,
        log_arpu_trend=log_arpu_trend,
        arpu_tau=arpu_tau,
        arpu_vol_month=params.arpu_vol_annual / np.sqrt(12.0),
        n_arpu_steps=max(0, n - 1 - arpu_tau),
        personal_share=_personal_share(inputs, params, months),
        other_opex=other_opex,
        equity=equity,
        supplier_equity=supplier_equity,
        starting_cash=inputs.starting_cash_usd_bn,
        delay_success=1.0 / (1.0 + params.delay_mean_months),
        compute_spend=np.ascontiguousarray(compute_spend.T),
        gw_online=np.ascontiguousarray(gw_online.T),
        vendor_flow=np.ascontiguousarray(vendor_flow.T),
        loi_probability=params.nvidia_loi_probability,
        amd_known=amd_known,
        amd_s0=inputs.amd_s0_usd,
        amd_step_mean=(mu - 0.5 * sigma**2) / 12.0,
        amd_step_sd=sigma / np.sqrt(12.0),
        n_amd_steps=max(0, n - 1 - amd_tau),
        amd_target=float(tranches["price_condition_usd"].max()),
        tranche_shares=tranches["shares_m"].to_numpy(),
        tranche_price=tranches["price_condition_usd"].to_numpy(),
        tranche_strike=tranches["strike_usd"].to_numpy(),
        tranche_gw_month=tranche_gw_month,
        year_end_index=np.flatnonzero(months % 12 == 11),
    )
