"""`Model`: the deterministic part of one scenario, precomputed once as numpy arrays.

Everything that does not depend on a path's continuous draws is computed here: the month grid, the
revenue mix, other costs, equity inflows, and — because a path's delivery delay is a whole number
of months and the NVIDIA letter of intent is on or off — every schedule that depends on them as a
month-major table with one column per *state* `s = loi_on * (D + 1) + delay` (`table[m, s]`). A path
then reads its column; no per-path schedule is rebuilt.

Per deal (`deal_spend[k, s, m]`, the payments the simulation makes; their sum is the compute spend):

* cloud_capacity: its monthly payments; a deal whose deliveries start in the simulated months loses
  its first `delay` months (not delivered, not paid); one already delivering is not delayed. The GW
  it provides while paid = payments x 12 / the scenario's rent per GW-year;
* own_capex: `own_capex_share` x GW deployed (shifted `delay` months later) x the vendor's cost per
  GW; the rest of its GW are installed by clouds and inside their contracts;
* the LOI deal is zero when the LOI is off, and so is its per-GW money (`vendor_flow`).

GW online = the reported base + cloud GW + owned GW. Revenue capacity = revenue per GW-year (grown
at the scenario's rate from its reported level) x GW online / 12; a path's revenue is the lower of
its demand and its capacity. Delays are capped at the horizon length. Deployments and payments
dated before `start_month` are history: GW already online count from the first month, payments
already made are in the starting cash.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from assets.simulation.inputs import SimulationInputs
from assets.simulation.months import from_yyyymm, month_number
from assets.simulation.params import ScenarioError, ScenarioParams

GW_TOLERANCE = 1e-9  # cumulative GW built from monthly fractions may fall short of a whole GW by rounding


@dataclass(frozen=True)
class Model:
    """Arrays the path engine reads. `M` = months, `D` = largest delay (= M), `S` = 2 (D + 1) states,
    `K` = paid deals, `T` = tranches."""

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
    # state tables, column s = loi_on * (D + 1) + delay
    delay_success: float         # geometric parameter p = 1 / (1 + mean); 1 means no delay
    loi_probability: float
    deal_ids: tuple[str, ...]    # (K,)
    deal_spend: np.ndarray       # (K, S, M) USD bn per month paid to each deal
    compute_spend: np.ndarray    # (M, S) USD bn per month, the sum over deals
    gw_online: np.ndarray        # (M, S) GW online
    capacity_revenue: np.ndarray  # (M, S) revenue the GW online can serve at the median revenue per GW
    vendor_flow: np.ndarray      # (M, S) per-GW vendor financing per month
    revenue_per_gw_log_sd: float
    # AMD and the warrant
    amd_known: np.ndarray        # (K,) month-end closes of the first K months (K may be 0)
    amd_s0: float
    amd_step_mean: float         # mean of a monthly log step
    amd_step_sd: float           # sd of a monthly log step
    n_amd_steps: int             # monthly steps from the latest close to the last month
    amd_target: float            # the highest price condition (600 USD)
    tranche_shares: np.ndarray   # (T,) million shares
    tranche_price: np.ndarray    # (T,) USD
    tranche_strike: np.ndarray   # (T,) USD
    tranche_gw_month: np.ndarray  # (T, S) first month the GW condition holds, M if never
    discount: np.ndarray         # (M,) factor that discounts a month's value to the valuation month
    valuation_month: int         # absolute month of the latest AMD close: warrant values are discounted to it
    year_end_index: np.ndarray   # horizon indexes of the December months

    @property
    def max_delay(self) -> int:
        return self.compute_spend.shape[1] // 2 - 1


def state_index(loi_on: np.ndarray, delay: np.ndarray, max_delay: int) -> np.ndarray:
    """The state column of (LOI on, delay)."""
    return np.asarray(loi_on, dtype=np.int64) * (max_delay + 1) + delay


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


def _shifted(series: np.ndarray, max_delay: int) -> np.ndarray:
    """Row d = `series` shifted d months later, zeros in front (what arrives in month m is series[m - d])."""
    table = np.zeros((max_delay + 1, series.size))
    for d in range(min(max_delay, series.size - 1) + 1):
        table[d, d:] = series[: series.size - d]
    return table


def _truncated(series: np.ndarray, max_delay: int) -> np.ndarray:
    """Row d = `series` without its first d months of deliveries (from its first non-zero month)."""
    table = np.tile(series, (max_delay + 1, 1))
    nonzero = np.flatnonzero(series)
    first = int(nonzero[0]) if nonzero.size else series.size
    for d in range(1, max_delay + 1):
        table[d, first:first + d] = 0.0
    return table


def _both_states(table: np.ndarray, on_only: bool) -> np.ndarray:
    """(S, M) from a (D+1, M) delay table: LOI off rows first, then LOI on; zero when off if `on_only`."""
    return np.concatenate([np.zeros_like(table) if on_only else table, table])


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


def vendor_cost(params: ScenarioParams, supplier: str, deal_id: str) -> float:
    """The scenario's system cost per GW of `supplier` (parameter `<supplier>_cost_per_gw_usd_bn`)."""
    name = f"{supplier.lower()}_cost_per_gw_usd_bn"
    if name not in ScenarioParams.names():
        raise ScenarioError(f"deal {deal_id} is paid as own_capex to {supplier}, but data/registry/scenarios.csv has "
                            f"no parameter {name}: add one (sourced) per vendor OpenAI buys systems from")
    return float(getattr(params, name))


def _deal_tables(inputs: SimulationInputs, params: ScenarioParams, start: int, n: int, max_delay: int):
    """Paid deal ids, their (K, S, M) payments, the (S, M) GW online and, per own_capex deal, the
    (S, M) GW of the whole deal online (before `own_capex_share`) with its GW before the horizon."""
    ids, spend = [], []
    cloud_gw = np.zeros((2 * (max_delay + 1), n))
    owned_gw = np.zeros_like(cloud_gw)
    full_gw: dict[str, tuple[np.ndarray, float]] = {}  # deal -> (S, M) GW online of the whole deal, GW before
    for deal_id, rows in inputs.cloud_payments.group_by("deal_id", maintain_order=True):
        series, _ = _monthly(rows, "amount_usd_bn", start, n)
        table = _both_states(_truncated(series, max_delay) if rows["delayed"][0] else np.tile(series, (max_delay + 1, 1)),
                             on_only=False)
        ids.append(deal_id[0])
        spend.append(table)
        cloud_gw += table * 12.0 / params.cloud_rent_per_gw_year_usd_bn
    for deal_id, rows in inputs.deployments.group_by("deal_id", maintain_order=True):
        deal = deal_id[0]
        new, before = _monthly(rows, "gw", start, n)
        on_only = deal == inputs.loi_deal
        cumulative = _both_states(before + np.cumsum(_shifted(new, max_delay), axis=1), on_only)
        full_gw[deal] = (cumulative, before)
        cost = vendor_cost(params, rows["supplier"][0], deal)
        ids.append(deal)
        spend.append(_both_states(params.own_capex_share * cost * _shifted(new, max_delay), on_only))
        owned_gw += params.own_capex_share * cumulative
    gw_online = inputs.base_gw_online + cloud_gw + owned_gw
    return tuple(ids), np.stack(spend) if spend else np.zeros((0, 2 * (max_delay + 1), n)), gw_online, full_gw


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
        raise ScenarioError(f"{params.where('user_ceiling_median_m')}: user_ceiling_median_m "
                            f"{params.user_ceiling_median_m:g} must exceed today's users, the largest reported "
                            f"count ({users_max:g} M)")

    arpu_tau = month_number(inputs.arpu_level_month) - start
    drift = params.arpu_drift_scale * _arpu_drift(inputs.arpu_history)
    log_arpu_trend = np.log(inputs.arpu_level_usd) + drift * (np.arange(n) - arpu_tau)

    other_opex = (inputs.other_opex_usd_bn / 12.0) * (1.0 + params.other_opex_growth_annual) ** (
        (months - month_number(inputs.other_opex_base_month)) / 12.0)
    equity, _ = _monthly(inputs.equity_inflows, "amount_usd_bn", start, n)
    supplier_equity, _ = _monthly(inputs.equity_inflows.filter("from_supplier"), "amount_usd_bn", start, n)

    deal_ids, deal_spend, gw_online, full_gw = _deal_tables(inputs, params, start, n, max_delay)
    growth = (1.0 + params.revenue_per_gw_growth_annual) ** ((months - month_number(inputs.revenue_per_gw_month)) / 12.0)
    capacity_revenue = inputs.revenue_per_gw_year_usd_bn * growth[None, :] * gw_online / 12.0

    loi_gw, loi_before = full_gw[inputs.loi_deal]
    cap, per_gw = inputs.vendor_financing_cap_usd_bn, inputs.vendor_financing_per_gw_usd_bn
    loi_on = np.repeat([0.0, 1.0], max_delay + 1)[:, None]
    financed = loi_on * (np.minimum(cap, per_gw * loi_gw) - min(cap, per_gw * loi_before))
    vendor_flow = np.diff(financed, axis=1, prepend=0.0)

    amd_gw = full_gw[inputs.warrant_gw_deal][0]
    tranches = inputs.warrant_tranches.sort("gw_condition", "price_condition_usd")
    conditions = tranches["gw_condition"].to_numpy()
    reached = amd_gw[None, :, :] >= conditions[:, None, None] - GW_TOLERANCE
    tranche_gw_month = np.where(reached.any(axis=2), reached.argmax(axis=2), n)

    s0_tau = month_number(inputs.amd_s0_month) - start
    closes = dict(inputs.amd_history.select("month", "close_usd").iter_rows())
    known = max(0, min(s0_tau + 1, n))
    by_number = {month_number(k): v for k, v in closes.items()}
    missing = [start + m for m in range(known) if start + m not in by_number]
    if missing:
        raise ValueError(f"amd_history lacks the month-end close of {missing[0] // 12}-{missing[0] % 12 + 1:02d} "
                         f"(needed up to {inputs.amd_s0_month})")
    amd_known = np.array([by_number[start + m] for m in range(known)], dtype=float)
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
        loi_probability=params.nvidia_loi_probability,
        deal_ids=deal_ids,
        deal_spend=deal_spend,
        compute_spend=np.ascontiguousarray(deal_spend.sum(axis=0).T),
        gw_online=np.ascontiguousarray(gw_online.T),
        capacity_revenue=np.ascontiguousarray(capacity_revenue.T),
        vendor_flow=np.ascontiguousarray(vendor_flow.T),
        revenue_per_gw_log_sd=params.revenue_per_gw_log_sd,
        amd_known=amd_known,
        amd_s0=inputs.amd_s0_usd,
        amd_step_mean=(mu - 0.5 * sigma**2) / 12.0,
        amd_step_sd=sigma / np.sqrt(12.0),
        n_amd_steps=max(0, n - 1 - s0_tau),
        amd_target=float(tranches["price_condition_usd"].max()),
        tranche_shares=tranches["shares_m"].to_numpy(),
        tranche_price=tranches["price_condition_usd"].to_numpy(),
        tranche_strike=tranches["strike_usd"].to_numpy(),
        tranche_gw_month=tranche_gw_month,
        discount=(1.0 + params.warrant_discount_rate_annual) ** (-(months - month_number(inputs.amd_s0_month)) / 12.0),
        valuation_month=month_number(inputs.amd_s0_month),
        year_end_index=np.flatnonzero(months % 12 == 11),
    )
