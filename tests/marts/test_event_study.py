"""The event study in mart.deal_reactions, on the real registry and the bundled snapshot prices.

The market model is recomputed here independently: the returns come straight from core.prices
(adjusted closes, one row per trading day of AMD, SPY and QQQ), the sessions are counted on
AMD's own bars, and alpha, beta and the residual variance come from numpy's least squares —
not from the mart's regr_* aggregates or its session calendar.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pytest

from assets.marts.flows import FLOW_MART_ASSETS, EventStudyParams
from tests.marts.conftest import materialize_marts, mart_resources


@pytest.fixture(scope="module")
def study(base_warehouse: Path, mart_instance: dg.DagsterInstance) -> Path:
    result = materialize_marts(FLOW_MART_ASSETS, base_warehouse, mart_instance)
    assert result.success, "the flow marts failed to materialize"
    return base_warehouse


@pytest.fixture(scope="module")
def db(study) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(study), read_only=True)
    yield conn
    conn.close()


def row(conn, deal_id: str, ticker: str) -> dict:
    (found,) = conn.sql("SELECT * FROM mart.deal_reactions WHERE deal_id = ? AND ticker = ?", params=[deal_id, ticker]).pl().to_dicts()
    return found


def market_model(conn, ticker: str, event: date, benchmark: str, first: int = -250, last: int = -30) -> dict:
    """OLS of the ticker's daily returns on the benchmark's over sessions first..last before `event`,
    then AR and CARs with t-statistics (prediction-error corrected), all with numpy."""
    frame = conn.sql(
        """SELECT t.trade_date, t.adj_close AS r_close, b.adj_close AS m_close
           FROM core.prices t JOIN core.prices b ON b.trade_date = t.trade_date AND b.ticker = ?
           WHERE t.ticker = ? ORDER BY t.trade_date""",
        params=[benchmark, ticker],
    ).pl()
    days = frame["trade_date"].to_list()
    r = np.diff(frame["r_close"].to_numpy()) / frame["r_close"].to_numpy()[:-1]
    m = np.diff(frame["m_close"].to_numpy()) / frame["m_close"].to_numpy()[:-1]
    zero = days.index(event) - 1  # return i is the move into days[i + 1]
    est = slice(zero + first, zero + last + 1)
    x, y = m[est], r[est]
    design = np.column_stack([np.ones_like(x), x])
    (alpha, beta), *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ [alpha, beta]
    n = len(y)
    sigma2 = resid @ resid / (n - 2)
    sxx = ((x - x.mean()) ** 2).sum()

    def car(a: int, b: int) -> tuple[float, float]:
        window = slice(zero + a, zero + b + 1)
        ar = r[window] - alpha - beta * m[window]
        length = b - a + 1
        var = sigma2 * (length + length**2 / n + ((m[window] - x.mean()).sum()) ** 2 / sxx)
        return ar.sum(), ar.sum() / np.sqrt(var)

    return {"n": n, "alpha": alpha, "beta": beta, "sigma": np.sqrt(sigma2), "0": car(0, 0), "0_1": car(0, 1),
            "0_2": car(0, 2), "m1_1": car(-1, 1), "first": days[zero + first + 1], "last": days[zero + last + 1]}


@pytest.mark.parametrize("benchmark", ["SPY", "QQQ"])
def test_amd_2025_10_06_market_model_recomputes_with_numpy(db, benchmark):
    mart = row(db, "AMD-OAI-2025-10-SUPPLY", "AMD")
    ref = market_model(db, "AMD", date(2025, 10, 6), benchmark)
    b = benchmark.lower()
    assert mart["event_date"] == date(2025, 10, 6) and mart["market_model_status"] == "ok"
    assert (mart["estimation_sessions"], mart["estimation_first_date"], mart["estimation_last_date"]) == (ref["n"], ref["first"], ref["last"])
    assert ref["n"] == 221  # sessions -250..-30, every one with both returns
    assert mart[f"alpha_{b}"] == pytest.approx(ref["alpha"], abs=1e-6)
    assert mart[f"beta_{b}"] == pytest.approx(ref["beta"], abs=1e-4)
    assert mart[f"residual_sd_{b}"] == pytest.approx(ref["sigma"], abs=1e-6)
    for window, name in [("0", "day0"), ("0_1", "0_1"), ("0_2", "0_2"), ("m1_1", "m1_1")]:
        car, t = ref[window]
        prefix = "ar" if window == "0" else "car"
        assert mart[f"{prefix}_{name}_{b}"] == pytest.approx(car, abs=5e-5), window
        assert mart[f"t_{name}_{b}"] == pytest.approx(t, abs=5e-5), window
    assert mart[f"significant_day0_{b}"] is True and mart[f"significant_0_2_{b}"] is True
    # the market-adjusted return stays beside the market model
    amd_day0 = _simple_return(db, "AMD", date(2025, 10, 6))
    assert mart[f"market_adjusted_day0_{b}"] == pytest.approx(amd_day0 - _simple_return(db, benchmark, date(2025, 10, 6)), abs=5e-5)


def _simple_return(conn, ticker: str, day: date) -> float:
    return conn.execute("SELECT simple_return FROM core.prices WHERE ticker = ? AND trade_date = ?", [ticker, day]).fetchall()[0][0]


def test_amd_figures(db):
    """The figures the report quotes for AMD on 2025-10-06 (rounded as the mart presents them)."""
    amd = row(db, "AMD-OAI-2025-10-SUPPLY", "AMD")
    assert amd["return_day0"] == 0.2371
    assert amd["event_deal_ids"] == ["AMD-OAI-2025-10-SUPPLY", "AMD-OAI-2025-10-WARRANT"]
    assert amd["ar_day0_spy"] > 0.2 and amd["t_day0_spy"] > 5


def test_approximate_dates_get_no_returns_and_no_rank(db):
    approx = db.sql("SELECT * FROM mart.deal_reactions WHERE announced_precision <> 'day'").pl()
    assert set(approx["deal_id"]) >= {"CRWV-OAI-2025-05", "NVDA-CRWV-2025-09-BACKSTOP"}
    assert set(approx["returns_status"]) == {"approximate_date"}
    for column in ["event_date", "return_day0", "return_cum_0_2", "ar_day0_spy", "car_0_2_spy", "market_value_added_usd_bn", "confounded"]:
        assert approx[column].null_count() == approx.height, column
    assert approx["returns_note"].str.contains("precise").all()
    ranked = db.sql((Path(__file__).parents[2] / "sql" / "report" / "reactions_top.sql").read_text()).pl()
    ranked_deals = {d for deals in ranked["deals"] for d in deals.split(", ")}
    assert not ranked_deals & set(approx["deal_id"])


def test_softbank_round_reacts_in_tokyo_the_next_session(db):
    sftb = row(db, "SFTB-OAI-2025-03-ROUND", "9984.T")
    assert (sftb["announced_on"], sftb["event_date"], sftb["exchange"]) == (date(2025, 3, 31), date(2025, 4, 1), "TSE")
    assert sftb["market_model_status"] == "no_benchmark_for_listing" and sftb["ar_day0_spy"] is None
    assert sftb["market_value_added_usd_bn"] is None  # JPY listing: no FX rates in the warehouse


def test_oracle_2025_09_10_is_confounded_by_its_quarterly_report(db):
    orcl = row(db, "ORCL-OAI-2025-09-300B", "ORCL")
    assert orcl["event_date"] == date(2025, 9, 10)
    assert orcl["confounded"] is True
    assert "10-Q filed 2025-09-10" in orcl["confounding_events"]


def test_share_count_in_force_on_the_event_date(db):
    nvda = row(db, "NVDA-OAI-2025-09-LOI-EQUITY", "NVDA")
    assert nvda["shares_basis"] == "sec_dei_on_or_before_event"
    assert nvda["shares_outstanding_date"] <= nvda["event_date"]
    # no dividend on the day: shares x (close - prev close) is shares x prev close x the return
    assert nvda["market_value_added_usd_bn"] == pytest.approx(nvda["shares_outstanding_m"] * (nvda["close"] - nvda["prev_close"]) / 1000, abs=0.005)
    later = db.sql(
        "SELECT count(*) FROM mart.deal_reactions WHERE shares_basis = 'sec_dei_on_or_before_event' AND shares_outstanding_date > event_date"
    ).fetchall()[0][0]
    assert later == 0


def test_a_window_with_fewer_than_60_estimation_sessions_is_refused(study, mart_instance):
    with duckdb.connect(str(study), read_only=True) as conn:
        before = conn.execute("SELECT count(*), sum(ar_day0_spy) FROM mart.deal_reactions").fetchall()[0]
    reactions = next(a for a in FLOW_MART_ASSETS if a.key.path[-1] == "deal_reactions")
    result = dg.materialize(
        [reactions],
        resources=mart_resources(study),
        instance=mart_instance,
        raise_on_error=False,
        run_config={"ops": {"mart__deal_reactions": {"config": {"estimation_first_session": -80, "estimation_last_session": -30}}}},
    )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.message
    assert "estimation_first_session..estimation_last_session = -80..-30 leaves 51 estimation sessions" in message
    assert "fewer than min_estimation_sessions = 60" in message
    with duckdb.connect(str(study), read_only=True) as conn:
        assert conn.execute("SELECT count(*), sum(ar_day0_spy) FROM mart.deal_reactions").fetchall()[0] == before


def test_params_refuse_bad_windows():
    assert EventStudyParams().problems() == []
    assert any("must end before the event window" in p for p in EventStudyParams(estimation_last_session=0).problems())
    assert any("at least 60" in p for p in EventStudyParams(min_estimation_sessions=30).problems())
    assert EventStudyParams(estimation_first_session=-89, estimation_last_session=-30).problems() == []  # exactly 60
