"""Marts on the flows of money between the companies (part B): vendor financing, capital cycles,
market reactions to the announcements and the AMD-style warrant tranches.

Each table is one SQL file in sql/mart/ turned into an asset by `sql_table_asset`; each check is
one SQL file in sql/checks/ that returns the offending rows (no rows = pass).
"""

from __future__ import annotations

import dagster as dg

from ..report import warehouse_charts
from pydantic import Field

from .builder import Column, MartParams, sql_check, sql_table_asset

RAW_DEALS = ["raw", "deals"]
RAW_DEAL_TERMS = ["raw", "deal_terms"]
CORE_COMPANIES = ["core", "companies"]
CORE_DEAL_FLOWS = ["core", "deal_flows"]
CORE_PRICES = ["core", "prices"]
RAW_SEC_FILINGS = ["raw", "sec_filings"]
RAW_SEC_FACTS = ["raw", "sec_company_facts"]
MIN_ESTIMATION_SESSIONS = 60  # the floor below which no market model is estimated (issue 12)

WARRANT_TRANCHES = dg.AssetKey(["mart", "warrant_tranches"])
PERIODS = ("macros/periods.sql",)

SOURCE_URLS = Column("source_urls", "VARCHAR[]", "Source pages of the deals and terms the row is derived from")

warrant_tranches = sql_table_asset(
    "mart",
    "warrant_tranches",
    description=(
        "One row per tranche of every warrant in the registry (AMD -> OpenAI first): shares, deployment "
        "condition (GW), price condition (USD), strike, whether each term is stated or a labelled registry "
        "assumption (with its reason), and at the issuer's latest close: price condition met, distance to "
        "it and intrinsic value shares x (close - strike) in USD bn. Thresholds come only from "
        "raw.deal_terms. Built by sql/mart/warrant_tranches.sql."
    ),
    columns=[
        Column("deal_id", "VARCHAR", "The warrant deal in raw.deals"),
        Column("issuer", "VARCHAR", "Company whose shares the warrant is on (payer of the warrant flow)"),
        Column("holder", "VARCHAR", "Company holding the warrant"),
        Column("ticker", "VARCHAR", "Issuer's ticker; null if private"),
        Column("tranche", "VARCHAR", "Registry item: tranche_<k>, or 'total' for warrant-level terms"),
        Column("tranche_no", "INTEGER", "k of tranche_<k>; null for 'total'"),
        Column("shares_m", "DOUBLE", "Shares of the tranche, millions"),
        Column("total_shares_m", "DOUBLE", "Stated shares of the whole warrant, millions"),
        Column("tranche_count", "INTEGER", "Number of tranches (registry row, may be an assumption)"),
        Column("deployment_condition_gw", "DOUBLE", "GW the holder must have bought before the tranche vests"),
        Column("price_condition_usd", "DOUBLE", "Issuer share price the tranche needs, USD"),
        Column("strike_usd", "DOUBLE", "Exercise price per share, USD (tranche's own, else the warrant's)"),
        Column("max_stake_share", "DOUBLE", "Largest stake the warrant can reach, fraction of the issuer's equity"),
        Column("counts_in_totals", "BOOLEAN", "Rows whose shares make up the warrant once: sum shares and value only where true"),
        Column("basis", "VARCHAR", "stated, derived or assumption: the weakest basis among the row's terms"),
        Column("assumed_terms", "VARCHAR[]", "Units of the terms that are registry assumptions (shares_m, gw_condition, price_condition_usd ...)"),
        Column("assumption_reason", "VARCHAR", "The registry's ASSUMPTION: notes for those terms"),
        Column("latest_close_date", "DATE", "Issuer's latest trading day in core.prices"),
        Column("latest_close", "DOUBLE", "Issuer's traded close on that day, listed currency"),
        Column("currency", "VARCHAR", "Issuer's listed currency"),
        Column("price_condition_met", "BOOLEAN", "latest_close >= price_condition_usd (USD listings only)"),
        Column("distance_to_price_condition_return", "DOUBLE", "price_condition_usd / latest_close - 1: rise still needed (negative = above it)"),
        Column("intrinsic_value_usd_bn", "DOUBLE", "shares_m x max(latest_close - strike_usd, 0) / 1000, as if vested, USD bn"),
        Column("gw_delivered", "DOUBLE", "GW the registry records as delivered by the issuer to the holder (deal_terms deployment_window item delivered_gw); 0 when none"),
        Column("deployment_condition_met", "BOOLEAN", "gw_delivered >= deployment_condition_gw (true without a GW condition)"),
        Column("vested", "BOOLEAN", "Deployment and price conditions both met on the latest data; null when the price condition cannot be judged (non-USD)"),
        Column("vested_value_usd_bn", "DOUBLE", "Intrinsic value of the tranche if vested, else 0, USD bn (AMD -> OpenAI: 0 until the first GW is delivered)"),
        Column("unvested_intrinsic_value_usd_bn", "DOUBLE", "Intrinsic value of a tranche not (yet) vested, as if vested, USD bn; 0 when vested"),
        SOURCE_URLS,
    ],
    deps=[RAW_DEAL_TERMS, CORE_DEAL_FLOWS, CORE_COMPANIES, CORE_PRICES],
    order_by="deal_id, tranche_no NULLS LAST, tranche",
)

ROUND_TRIP = (
    "round_trip_ratio = money from the supplier into the customer (equity invested + per-GW investment received "
    "+ warrant value vested) / money from the customer to that supplier (counted purchase commitments), over the "
    "same period (here: every announced deal at its full amount); the simulation's supplier-financed share uses "
    "the same definition over the simulated months. Null unless both sides are complete"
)

vendor_financing = sql_table_asset(
    "mart",
    "vendor_financing",
    description=(
        "One row per supplier and customer with a purchase commitment between them: the money the supplier "
        "puts into the customer (equity, per-GW investment received, warrant value vested on the latest "
        "data) against the customer's purchase commitments to the supplier, and " + ROUND_TRIP + ". Unvested "
        "warrant value (intrinsic, and the simulation's discounted expected value) is shown apart, never in "
        "the ratio. Only flows that count in totals are summed (one per overlap group, no umbrella "
        "programme); the deal ids of each side are listed. Built by sql/mart/vendor_financing.sql."
    ),
    columns=[
        Column("supplier", "VARCHAR", "Company the customer buys from"),
        Column("customer", "VARCHAR", "Company committed to buy"),
        Column("equity_usd_bn", "DOUBLE", "Equity the supplier invests in the customer, USD bn (counted flows)"),
        Column("per_gw_investment_received_usd_bn", "DOUBLE", "deal_terms per_gw_investment x GW delivered (deal_terms delivered_gw; none recorded: 0), USD bn"),
        Column("warrant_vested_usd_bn", "DOUBLE", "Intrinsic value of the warrant tranches vested on the latest data (mart.warrant_tranches), USD bn; AMD -> OpenAI 0 until the first GW is delivered"),
        Column("warrant_unvested_intrinsic_usd_bn", "DOUBLE", "Intrinsic value of the tranches not vested, as if vested at warrant_value_date's close, USD bn (not in the ratio)"),
        Column("warrant_expected_value_usd_bn", "DOUBLE", "The simulation's discounted expected warrant value (sim.outcomes 'warrant_value_pv_expected', scenario base, previous simulation run); null until the simulation writes it (not in the ratio)"),
        Column("warrant_value_date", "DATE", "Close date the warrants are valued at"),
        Column("backstop_usd_bn", "DOUBLE", "Backstops from the supplier for the customer, USD bn (shown; not money paid in, not in the ratio)"),
        Column("financing_usd_bn", "DOUBLE", "equity + per-GW investment received + warrant value vested (known values), USD bn: the ratio's numerator"),
        Column("commitments_usd_bn", "DOUBLE", "Customer's purchase commitments to the supplier (known amounts), USD bn; null if none is known: the denominator"),
        Column("round_trip_ratio", "DOUBLE", ROUND_TRIP),
        Column("financing_complete", "BOOLEAN", "Every counted financing flow has a value"),
        Column("commitments_complete", "BOOLEAN", "Every counted commitment has an amount"),
        Column("financing_deal_ids", "VARCHAR[]", "Deals summed into financing (and deals with per-GW investment terms)"),
        Column("commitment_deal_ids", "VARCHAR[]", "Deals summed into commitments"),
        Column("undisclosed_deal_ids", "VARCHAR[]", "Counted deals without a value (undisclosed amount, unpriced warrant)"),
        Column("not_summed_deal_ids", "VARCHAR[]", "Deals of the pair left out because their money is in another row of their overlap group"),
        SOURCE_URLS,
    ],
    deps=[CORE_DEAL_FLOWS, RAW_DEAL_TERMS, WARRANT_TRANCHES],
    order_by="financing_usd_bn DESC NULLS LAST, commitments_usd_bn DESC NULLS LAST, supplier, customer",
)

class CycleParams(MartParams):
    """How close in time the flows of one cycle must be."""

    cycle_window_months: int = Field(
        default=24, description="Largest gap, in months, between the money spans of any two edges of a cycle."
    )

    def problems(self) -> list[str]:
        return [] if self.cycle_window_months >= 0 else [f"cycle_window_months = {self.cycle_window_months}: must be 0 or more"]


capital_cycles = sql_table_asset(
    "mart",
    "capital_cycles",
    description=(
        "One row per directed cycle of 2 to 5 edges in core.deal_flows (edge = flows from payer to payee) "
        "whose money moves within 24 months (run config cycle_window_months) of the cycle's other edges, "
        "found flow by flow with a recursive CTE and listed once, starting at its smallest company name: "
        "path, its date span, the deal ids of its edges (flows out of the window named apart), each edge's "
        "counted amount (overlapping deals never summed), the bottleneck (smallest edge amount; null when "
        "an edge has none) and whether a party confirmed every amount (press-only amounts named). Built "
        "by sql/mart/capital_cycles.sql."
    ),
    columns=[
        Column("cycle_id", "VARCHAR", "Canonical node list joined by '>' (starts at the smallest name); stable"),
        Column("path", "VARCHAR", "e.g. NVIDIA -> OpenAI -> Oracle -> NVIDIA"),
        Column("n_edges", "BIGINT", "Number of edges (= companies), 2..5"),
        Column("nodes", "VARCHAR[]", "Companies in cycle order, start not repeated"),
        Column("edge_kinds", "VARCHAR[]", "Flow kinds of each edge's in-time flows, in path order ('+' joins several)"),
        Column("edge_amounts_usd_bn", "DOUBLE[]", "Each edge's amount in path order: sum of its counted in-time flows' known amounts, USD bn; null if none"),
        Column("bottleneck_usd_bn", "DOUBLE", "Smallest edge amount, USD bn; null if an edge has no amount"),
        Column("bottleneck_edge", "VARCHAR", "The edge with the smallest amount"),
        Column("money_from", "DATE", "Start of the cycle's date span: earliest start of its in-time flows' money (start_period, else announcement)"),
        Column("money_to", "DATE", "End of the span: latest end of those flows' money (end_period, else start_period, else announcement)"),
        Column("window_months", "INTEGER", "The window the cycle was found with (run config cycle_window_months)"),
        Column("all_edges_confirmed", "BOOLEAN", "Every edge has an amount and a party announced or filed each counted amount (confidence confirmed_press_release)"),
        Column("press_only_edges", "VARCHAR[]", "Edges whose amount rests (partly) on press reports only"),
        Column("press_only_amounts", "VARCHAR[]", "Each press-only amount: 'edge: deal_id amount bn'"),
        Column("edges_without_amount", "VARCHAR[]", "Edges with no known amount"),
        Column("deal_ids", "VARCHAR[]", "Every in-time deal on the cycle's edges, in path order (overlapping ones included)"),
        Column("out_of_window_deal_ids", "VARCHAR[]", "Deals on the cycle's edges whose money lies outside the window of the other edges: not part of the cycle"),
        SOURCE_URLS,
    ],
    deps=[CORE_DEAL_FLOWS],
    order_by="n_edges, cycle_id",
    prelude=PERIODS,
    chart=warehouse_charts.deal_network,
    config=CycleParams,
)


class EventStudyParams(MartParams):
    """Windows of the event study (sessions relative to session 0 on the listing's own exchange)."""

    estimation_first_session: int = Field(default=-250, description="First session of the market model's estimation window.")
    estimation_last_session: int = Field(default=-30, description="Last session of the estimation window; must end before the event window (-1).")
    min_estimation_sessions: int = Field(
        default=MIN_ESTIMATION_SESSIONS,
        description=f"Fewest estimation sessions (both returns present) a market model may rest on; at least {MIN_ESTIMATION_SESSIONS}.",
    )
    confound_first_session: int = Field(default=-1, description="First session of the confounding window (earnings, other registry events).")
    confound_last_session: int = Field(default=2, description="Last session of the confounding window.")
    critical_t: float = Field(default=1.96, description="|t| above which a (C)AR is flagged significant (1.96: two-sided 5 %).")

    def problems(self) -> list[str]:
        found = []
        span = self.estimation_last_session - self.estimation_first_session + 1
        if self.estimation_last_session >= -1:
            found.append(f"estimation_last_session = {self.estimation_last_session}: the estimation window must end before "
                         "the event window, which starts at session -1")
        if self.min_estimation_sessions < MIN_ESTIMATION_SESSIONS:
            found.append(f"min_estimation_sessions = {self.min_estimation_sessions}: at least {MIN_ESTIMATION_SESSIONS} are required")
        if span < max(self.min_estimation_sessions, MIN_ESTIMATION_SESSIONS):
            found.append(
                f"estimation_first_session..estimation_last_session = {self.estimation_first_session}..{self.estimation_last_session} "
                f"leaves {max(span, 0)} estimation sessions, fewer than min_estimation_sessions = "
                f"{max(self.min_estimation_sessions, MIN_ESTIMATION_SESSIONS)}"
            )
        if self.confound_first_session > self.confound_last_session:
            found.append(f"confound_first_session = {self.confound_first_session} is after confound_last_session = {self.confound_last_session}")
        if self.critical_t <= 0:
            found.append(f"critical_t = {self.critical_t}: must be positive")
        return found


def _windows(suffix: str, benchmark: str) -> list[Column]:
    """The market-model columns of one benchmark."""
    return [
        Column(f"alpha_{suffix}", "DOUBLE", f"OLS intercept of the market model r = alpha + beta x r_{benchmark} over the estimation sessions (per session)"),
        Column(f"beta_{suffix}", "DOUBLE", f"OLS slope against {benchmark}"),
        Column(f"residual_sd_{suffix}", "DOUBLE", "sigma: sqrt(SSR / (n - 2)) of the estimation residuals"),
        Column(f"ar_day0_{suffix}", "DOUBLE", f"Abnormal return on session 0: r - alpha - beta x r_{benchmark}"),
        Column(f"t_day0_{suffix}", "DOUBLE", "ar_day0 / sqrt(Var), Var = sigma^2 (1 + 1/n + (m_0 - mean_m)^2 / Sxx) (prediction-error corrected)"),
        Column(f"car_0_1_{suffix}", "DOUBLE", "Cumulative abnormal return over sessions 0..+1"),
        Column(f"t_0_1_{suffix}", "DOUBLE", "t of car_0_1: Var(CAR) = sigma^2 (L + L^2/n + (sum of (m_t - mean_m))^2 / Sxx), L = 2"),
        Column(f"car_0_2_{suffix}", "DOUBLE", "CAR over sessions 0..+2"),
        Column(f"t_0_2_{suffix}", "DOUBLE", "t of car_0_2 (L = 3, same variance formula)"),
        Column(f"car_m1_1_{suffix}", "DOUBLE", "CAR over sessions -1..+1 (catches a leak the day before)"),
        Column(f"t_m1_1_{suffix}", "DOUBLE", "t of car_m1_1 (L = 3, same variance formula)"),
    ]


deal_reactions = sql_table_asset(
    "mart",
    "deal_reactions",
    description=(
        "The event study: one row per deal announcement and listed party. Session 0 is the first session "
        "of the listing's own exchange on or after the news (after-close news: the next session; Tokyo: "
        "the session after the US day). Raw returns, an OLS market model against SPY and QQQ estimated "
        "over sessions -250..-30 (run config), abnormal returns and CARs over [0], [0,+1], [0,+2], "
        "[-1,+1] with prediction-error-corrected t-statistics and significance flags, market-adjusted "
        "returns beside them, a confounded flag (earnings filings or another registry event within "
        "sessions -1..+2), and the value added with the share count in force on the event date. Rows "
        "with an approximate date stay, with the reason, and get no returns. Built by "
        "sql/mart/deal_reactions.sql."
    ),
    columns=[
        Column("deal_id", "VARCHAR", "The deal in raw.deals"),
        Column("ticker", "VARCHAR", "Party's ticker"),
        Column("company", "VARCHAR", "Party (buyer or seller, canonical name)"),
        Column("exchange", "VARCHAR", "The listing's exchange, whose sessions are counted (NASDAQ, NYSE, TSE)"),
        Column("announced_on", "DATE", "Registry announcement date (first day of the period when not day-precise)"),
        Column("announced_precision", "VARCHAR", "Precision of announced_on: day; anything else gets no returns"),
        Column("event_timing", "VARCHAR", "before_open, during_session, after_close or unknown (relative to the US session)"),
        Column("event_date", "DATE", "Session 0 on the listing's exchange; null when no returns (see returns_status)"),
        Column("returns_status", "VARCHAR", "ok, approximate_date, before_price_coverage, not_listed_yet, beyond_price_coverage, missing_price_day or missing_previous_day"),
        Column("returns_note", "VARCHAR", "Why there are no returns (null when ok)"),
        Column("prev_trade_date", "DATE", "The session before event_date"),
        Column("currency", "VARCHAR", "Listed currency of prev_close and close"),
        Column("prev_close", "DOUBLE", "Traded close of the session before, listed currency"),
        Column("close", "DOUBLE", "Traded close on event_date, listed currency"),
        Column("return_day0", "DOUBLE", "adj_close(event) / adj_close(session before) - 1"),
        Column("return_cum_0_2", "DOUBLE", "Return compounded over sessions 0..2"),
        Column("return_cum_0_4", "DOUBLE", "Return compounded over sessions 0..4"),
        Column("market_model_status", "VARCHAR", "ok, no_benchmark_for_listing (non-US listing) or too_few_estimation_sessions (fewer than min_estimation_sessions before the event: a new listing, or prices that start too late); null without returns"),
        Column("estimation_sessions", "BIGINT", "n: estimation sessions with both the ticker's and SPY's return"),
        Column("estimation_first_date", "DATE", "First estimation session used"),
        Column("estimation_last_date", "DATE", "Last estimation session used"),
        *_windows("spy", "SPY"),
        *_windows("qqq", "QQQ"),
        Column("significant_day0_spy", "BOOLEAN", "|t_day0_spy| > critical_t (run config, 1.96)"),
        Column("significant_0_2_spy", "BOOLEAN", "|t_0_2_spy| > critical_t"),
        Column("significant_day0_qqq", "BOOLEAN", "|t_day0_qqq| > critical_t"),
        Column("significant_0_2_qqq", "BOOLEAN", "|t_0_2_qqq| > critical_t"),
        Column("market_adjusted_day0_spy", "DOUBLE", "return_day0 - SPY's return (market-adjusted, no estimation)"),
        Column("market_adjusted_0_2_spy", "DOUBLE", "Sum over sessions 0..2 of (r - r_SPY)"),
        Column("market_adjusted_day0_qqq", "DOUBLE", "return_day0 - QQQ's return"),
        Column("market_adjusted_0_2_qqq", "DOUBLE", "Sum over sessions 0..2 of (r - r_QQQ)"),
        Column("confounded", "BOOLEAN", "An earnings release / 10-Q / 10-K or another registry event of the party within the confounding window (sessions -1..+2); null without returns"),
        Column("confounding_events", "VARCHAR[]", "What confounds it: '8-K item 2.02 filed ...', '10-Q filed ...', 'deal <id> (<session>)'"),
        Column("shares_outstanding_m", "DOUBLE", "Share count in force on event_date, millions (all classes)"),
        Column("shares_outstanding_date", "DATE", "As-of date of that count"),
        Column("shares_basis", "VARCHAR", "sec_dei_on_or_before_event (latest SEC dei count dated on or before the event), registry_on_or_before_event or registry_after_event (companies.csv)"),
        Column("market_value_added_usd_bn", "DOUBLE", "shares_outstanding_m x prev_close x return_day0 / 1000, USD bn (USD listings)"),
        Column("abnormal_value_added_spy_usd_bn", "DOUBLE", "shares_outstanding_m x prev_close x ar_day0_spy / 1000, USD bn: the part not explained by the market"),
        Column("amount_usd_bn", "DOUBLE", "Deal's headline amount, USD bn"),
        Column("amount_basis", "VARCHAR", "up to, approx, exact or estimate (an analyst's or outlet's figure)"),
        Column("value_added_per_usd_announced", "DOUBLE", "market_value_added_usd_bn / amount_usd_bn"),
        Column("event_deal_ids", "VARCHAR[]", "Every deal of this ticker on the same event_date: they share one reaction, never add them"),
        SOURCE_URLS,
        Column("shares_source", "VARCHAR", "SEC filing(s) the share count comes from (accession numbers), when from SEC facts"),
    ],
    deps=[RAW_DEALS, CORE_DEAL_FLOWS, CORE_COMPANIES, CORE_PRICES, RAW_SEC_FILINGS, RAW_SEC_FACTS],
    order_by="event_date NULLS LAST, deal_id, ticker",
    chart=warehouse_charts.prices_with_reactions,
    config=EventStudyParams,
)


cycle_edges_exist = sql_check(
    "mart", "capital_cycles", "cycle_edges_exist", "checks/capital_cycles_edges_exist.sql",
    description=(
        "Every edge of every cycle is a flow payer -> payee in core.deal_flows, every listed deal id is a "
        "flow on the cycle's edges, each cycle closes on its first company and appears once."
    ),
    what="cycle problem(s)",
)
capital_cycles_no_negative_amounts = sql_check(
    "mart", "capital_cycles", "no_negative_amounts", "checks/capital_cycles_amounts.sql",
    description="No edge amount or bottleneck is negative, and the bottleneck is the smallest edge amount.",
    what="cycle(s) with a negative or inconsistent amount",
)
vendor_financing_no_negative_amounts = sql_check(
    "mart", "vendor_financing", "no_negative_amounts", "checks/vendor_financing_amounts.sql",
    description="No amount or ratio is negative, and financing is equity + warrants + backstops.",
    what="row(s) with a negative or inconsistent amount",
)
no_deal_counted_twice = sql_check(
    "mart", "vendor_financing", "no_deal_counted_twice", "checks/vendor_financing_overlaps.sql",
    description=(
        "No deal is summed twice: each summed deal appears once, counts in totals in core.deal_flows, and "
        "no overlap group has more than one summed deal."
    ),
    what="deal(s) or overlap group(s) counted twice",
)
reactions_recompute_from_prices = sql_check(
    "mart", "deal_reactions", "reactions_recompute_from_prices", "checks/deal_reactions_recompute.sql",
    description=(
        "Every raw and market-adjusted return of the mart (day 0, cumulative 0..2 and 0..4, vs SPY and QQQ) recomputes "
        "from core.prices by another route (each ticker's own series instead of the session calendar) "
        "within the mart's 4-decimal rounding, and rows without a day-precise session carry no returns."
    ),
    what="return(s) that do not recompute from core.prices",
)
warrant_tranches_no_negative_amounts = sql_check(
    "mart", "warrant_tranches", "no_negative_amounts", "checks/warrant_tranches_amounts.sql",
    description="No negative shares, condition, strike or value; price_condition_met agrees with the latest close.",
    what="tranche(s) with a negative or inconsistent value",
)
tranches_add_up_to_the_warrant = sql_check(
    "mart", "warrant_tranches", "tranches_add_up_to_the_warrant", "checks/warrant_tranches_total.sql",
    description=(
        "The rows that make up each warrant (counts_in_totals) exist and add up to its stated total share "
        "count within 0.1 %, so the warrant's value is neither lost nor counted twice."
    ),
    what="warrant(s) whose tranches do not add up",
)

FLOW_MART_ASSETS = [warrant_tranches, vendor_financing, capital_cycles, deal_reactions]
FLOW_MART_CHECKS = [
    cycle_edges_exist,
    capital_cycles_no_negative_amounts,
    vendor_financing_no_negative_amounts,
    no_deal_counted_twice,
    reactions_recompute_from_prices,
    warrant_tranches_no_negative_amounts,
    tranches_add_up_to_the_warrant,
]
