"""The path engine: a chunk of paths at once, as (paths x months) numpy arrays.

The arrays are computed month-major — (months, paths) buffers, one contiguous row per month —
and handed out as their (paths, months) transposes. Per path (vectorised over the chunk):

* users: `U(m) = K / (1 + exp(-(logit_K(U_L) + r (m - m_L))))`, the logistic through the latest
  reported figure `U_L` (month `m_L`); the ceiling `K = U_max + h`, `h` lognormal around the
  scenario's median headroom; `r` is the least-squares slope of `logit_K(U_i) - logit_K(U_L)` on
  `m_i - m_L` over the reported figures (so `r` is fitted to the history for each ceiling);
* ARPU: `log a(m) = log a* + g (m - m_a) + sigma_m * (sum of monthly N(0,1) after m_a)`;
* revenue = users x ARPU / 1000 / personal share (USD bn per month);
* compute spend, GW online and per-GW vendor financing: the model's state column of the path's
  delay `d = floor(log(1-u) / log(1-p))` (geometric, mean = scenario mean, capped) and of its
  LOI draw (on if below its probability): the LOI's GW, their cost and its money together;
* revenue = min(demand, capacity): demand = users x ARPU / 1000 / personal share (USD bn per
  month), capacity = the state's revenue capacity x a lognormal per-path factor on revenue per GW;
* cash: `cash(m) = cash(m-1) + inflows - outflows`; whenever that would be negative, outside
  money equal to the shortfall is injected and recorded, leaving cash at zero;
* AMD: month-end closes while known, then GBM steps `N((mu - sigma^2/2)/12, sigma^2/12)` from the
  latest close (steps before the first month are taken but not shown);
* warrant tranche k vests in the first month in which the path's GW condition (its delayed AMD GW)
  and the price condition both hold, valued at that month's price less the strike, and discounted
  from that month to the valuation month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assets.simulation.buffers import Buffers
from assets.simulation.draws import Draws
from assets.simulation.model import Model, state_index


@dataclass(frozen=True)
class Paths:
    """One chunk of simulated paths. Money in USD bn (flows per month), GW, USD per AMD share.

    Every (n, M) array is the transposed view of a month-major (M, n) buffer: sums over months
    then add whole contiguous rows, and `array.T` hands a month's values over without a copy.
    The buffers are reused by the next `simulate` call given the same `Buffers`.
    """

    users_m: np.ndarray           # (n, M)
    arpu_usd: np.ndarray          # (n, M)
    demand: np.ndarray            # (n, M) revenue demand before the compute cap
    revenue: np.ndarray           # (n, M)
    compute_spend: np.ndarray     # (n, M)
    other_opex: np.ndarray        # (M,) same on every path
    equity: np.ndarray            # (M,) same on every path
    vendor_financing: np.ndarray  # (n, M) per-GW vendor financing received in the month
    outside_cumulative: np.ndarray  # (n, M) outside money injected up to and including the month
    cash: np.ndarray              # (n, M) end-of-month cash
    gw_online: np.ndarray         # (n, M)
    amd_price: np.ndarray         # (n, M)
    delay: np.ndarray             # (n,) months
    loi_on: np.ndarray            # (n,) bool
    state: np.ndarray             # (n,) the model's state column (LOI on, delay)
    vest_month: np.ndarray        # (n, T) horizon index of vesting, -1 if not vested
    warrant_value: np.ndarray     # (n,) USD bn, vested tranches at their vesting prices
    warrant_value_pv: np.ndarray  # (n,) USD bn, the same discounted to the valuation month

    @property
    def outside_money(self) -> np.ndarray:
        """(n, M) outside money injected in each month."""
        return np.diff(self.outside_cumulative, axis=1, prepend=0.0)


def _running(values: np.ndarray, op: np.ufunc) -> np.ndarray:
    """In place, down the months: `values[m] = op(values[m - 1], values[m])` (a running sum, minimum, ...).

    Row by row on a month-major array each step is one contiguous vector operation, several
    times faster than `op.accumulate(values, axis=0)`.
    """
    for m in range(1, values.shape[0]):
        op(values[m - 1], values[m], out=values[m])
    return values


def _users(model: Model, z: np.ndarray, users: np.ndarray) -> np.ndarray:
    ceiling = model.users_max + model.headroom_median * np.exp(model.headroom_log_sd * z)     # (n,)
    anchor = np.log(model.anchor_users / (ceiling - model.anchor_users))                      # (n,)
    x = (model.user_tau - model.anchor_tau).astype(float)                                     # (H,)
    y = np.log(model.user_values[:, None] / (ceiling - model.user_values[:, None])) - anchor  # (H, n)
    rate = (x @ y) / (x @ x)
    np.multiply(rate, (np.arange(model.n_months) - model.anchor_tau)[:, None], out=users)   # (M, n)
    users += anchor
    np.negative(users, out=users)
    np.exp(users, out=users)
    users += 1.0
    return np.divide(ceiling, users, out=users)


def _arpu(model: Model, z: np.ndarray, arpu: np.ndarray) -> np.ndarray:
    first = max(0, model.arpu_tau + 1)  # first horizon month with noise
    arpu[:first] = model.log_arpu_trend[:first, None]
    if model.n_arpu_steps:
        walk = _running(np.multiply(z, model.arpu_vol_month, out=z), np.add)  # the draws become the walk
        np.add(walk[first - model.arpu_tau - 1:], model.log_arpu_trend[first:, None], out=arpu[first:])
    return np.exp(arpu, out=arpu)


def _delays(model: Model, u: np.ndarray) -> np.ndarray:
    if model.delay_success >= 1.0:
        return np.zeros(u.size, dtype=np.int64)
    delay = np.floor(np.log1p(-u) / np.log1p(-model.delay_success))
    return np.minimum(delay, model.max_delay).astype(np.int64)


def _amd(model: Model, z: np.ndarray, price: np.ndarray) -> np.ndarray:
    known = model.amd_known.size
    price[:known] = model.amd_known[:, None]
    if model.n_amd_steps:  # one step per month after the latest close; the draws become the steps
        steps = np.multiply(z, model.amd_step_sd, out=z)
        steps += model.amd_step_mean
        _running(steps, np.add)
        np.exp(steps[model.n_amd_steps - (price.shape[0] - known):], out=price[known:])
        price[known:] *= model.amd_s0
    return price


def _vesting(model: Model, price: np.ndarray, state: np.ndarray,
             buffers: Buffers) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = price.shape[1]
    vest_month = np.full((n, model.tranche_price.size), -1, dtype=np.int64)
    value = np.zeros(n)
    value_pv = np.zeros(n)
    for k in range(model.tranche_price.size):
        gw_month = model.tranche_gw_month[k, state]  # first month the path's GW condition holds
        first_possible = int(gw_month.min())
        if first_possible >= model.n_months:
            continue
        shape = (model.n_months - first_possible, n)
        hit = np.greater_equal(price[first_possible:], model.tranche_price[k], out=buffers.get("hit", shape, bool))
        hit &= np.greater_equal(np.arange(first_possible, model.n_months)[:, None], gw_month,
                                out=buffers.get("gw_ok", shape, bool))
        vested = hit.any(axis=0)
        first = hit.argmax(axis=0) + first_possible
        vest_month[:, k] = np.where(vested, first, -1)
        at_vest = np.where(vested, model.tranche_shares[k] * (price[first, np.arange(n)] - model.tranche_strike[k])
                           / 1000.0, 0.0)
        value += at_vest
        value_pv += at_vest * model.discount[first]
    return vest_month, value, value_pv


def simulate(model: Model, draws: Draws, buffers: Buffers | None = None, cash_only: bool = False) -> Paths:
    """Simulate the paths of `draws` under `model` (this consumes the step draws: they are
    overwritten in place). With `buffers`, the arrays live in them until the next call.

    `cash_only` skips AMD's price and the warrant (they move no cash in the model): `amd_price`,
    `vest_month` and the warrant values are then empty, and `draws` need no AMD steps."""
    buffers = buffers or Buffers()
    shape = (model.n_months, draws.n_paths)
    users = _users(model, draws.ceiling, buffers.get("users", shape))
    arpu = _arpu(model, draws.arpu, buffers.get("arpu", shape))
    demand = np.multiply(users, arpu, out=buffers.get("demand", shape))
    demand /= (1000.0 * model.personal_share)[:, None]
    delay = _delays(model, draws.delay)
    loi_on = draws.loi < model.loi_probability
    state = state_index(loi_on, delay, model.max_delay)
    revenue = np.take(model.capacity_revenue, state, axis=1, out=buffers.get("revenue", shape), mode="clip")
    if model.revenue_per_gw_log_sd:
        revenue *= np.exp(model.revenue_per_gw_log_sd * draws.revenue_per_gw)
    np.minimum(revenue, demand, out=revenue)
    compute = np.take(model.compute_spend, state, axis=1, out=buffers.get("compute", shape), mode="clip")
    vendor = np.take(model.vendor_flow, state, axis=1, out=buffers.get("vendor", shape), mode="clip")

    level = np.add(revenue, vendor, out=buffers.get("cash", shape))  # becomes the cash before any injection
    level -= compute
    level += (model.equity - model.other_opex)[:, None]
    level[0] += model.starting_cash
    _running(level, np.add)
    injected = buffers.get("outside", shape)           # cumulative outside money = max(0, -running minimum)
    np.copyto(injected, level)
    _running(injected, np.minimum)
    np.negative(injected, out=injected)
    np.maximum(injected, 0.0, out=injected)
    cash = np.add(level, injected, out=level)

    if cash_only:
        price, vest_month = np.empty((0, draws.n_paths)), np.empty((draws.n_paths, 0), dtype=np.int64)
        warrant_value = warrant_value_pv = np.empty(0)
    else:
        price = _amd(model, draws.amd, buffers.get("amd", shape))
        vest_month, warrant_value, warrant_value_pv = _vesting(model, price, state, buffers)
    return Paths(
        users_m=users.T,
        arpu_usd=arpu.T,
        demand=demand.T,
        revenue=revenue.T,
        compute_spend=compute.T,
        other_opex=model.other_opex,
        equity=model.equity,
        vendor_financing=vendor.T,
        outside_cumulative=injected.T,
        cash=cash.T,
        gw_online=np.take(model.gw_online, state, axis=1, out=buffers.get("gw", shape), mode="clip").T,
        amd_price=price.T,
        delay=delay,
        loi_on=loi_on,
        state=state,
        vest_month=vest_month,
        warrant_value=warrant_value,
        warrant_value_pv=warrant_value_pv,
    )
