"""Marts on the flows of money between the companies (part B): vendor financing, capital cycles,
market reactions to the announcements and the AMD-style warrant tranches.

Each table is one SQL file in sql/mart/ turned into an asset by `sql_table_asset`; each check is
one SQL file in sql/checks/ that returns the offending rows (no rows = pass).
"""

from __future__ import annotations

import dagster as dg

from ..report import warehouse_charts
from .builder import Column, sql_check, sql_table_asset

RAW_DEALS = ["raw", "deals"]
RAW_DEAL_TERMS = ["raw", "deal_terms"]
CORE_COMPANIES = ["core", "companies"]
CORE_DEAL_FLOWS = ["core", "deal_flows"]
CORE_PRICES = ["core", "prices"]

WARRANT_TRANCHES = dg.AssetKey(["mart", "warrant_tranches"])

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
        SOURCE_URLS,
    ],
    deps=[RAW_DEAL_TERMS, CORE_DEAL_FLOWS, CORE_COMPANIES, CORE_PRICES],
    order_by="deal_id, tranche_no NULLS LAST, tranche",
)

vendor_financing = sql_table_asset(
    "mart",
    "vendor_financing",
    description=(
        "One row per supplier and customer with a purchase commitment between them: the money the supplier "
        "puts into the customer (equity, warrants at today's intrinsic value, backstops) against the "
        "customer's purchase commitments to the supplier, and round_trip_ratio = financing / commitments. "
        "Only flows that count in totals are summed (one per overlap group, no umbrella programme); the "
        "deal ids of each side are listed. Built by sql/mart/vendor_financing.sql."
    ),
    columns=[
        Column("supplier", "VARCHAR", "Company the customer buys from"),
        Column("customer", "VARCHAR", "Company committed to buy"),
        Column("equity_usd_bn", "DOUBLE", "Equity the supplier invests in the customer, USD bn (counted flows)"),
        Column("warrant_value_usd_bn", "DOUBLE", "Warrants the supplier gave the customer at intrinsic value on warrant_value_date, USD bn"),
        Column("warrant_value_date", "DATE", "Close date the warrants are valued at"),
        Column("backstop_usd_bn", "DOUBLE", "Backstops from the supplier for the customer, USD bn"),
        Column("financing_usd_bn", "DOUBLE", "equity + warrants + backstops (known values), USD bn"),
        Column("commitments_usd_bn", "DOUBLE", "Customer's purchase commitments to the supplier (known amounts), USD bn; null if none is known"),
        Column("round_trip_ratio", "DOUBLE", "financing_usd_bn / commitments_usd_bn; null unless both sides are complete"),
        Column("financing_complete", "BOOLEAN", "Every counted financing flow has a value"),
        Column("commitments_complete", "BOOLEAN", "Every counted commitment has an amount"),
        Column("financing_deal_ids", "VARCHAR[]", "Deals summed into financing"),
        Column("commitment_deal_ids", "VARCHAR[]", "Deals summed into commitments"),
        Column("undisclosed_deal_ids", "VARCHAR[]", "Counted deals without a value (undisclosed amount, unpriced warrant)"),
        Column("not_summed_deal_ids", "VARCHAR[]", "Deals of the pair left out because their money is in another row of their overlap group"),
        SOURCE_URLS,
    ],
    deps=[CORE_DEAL_FLOWS, WARRANT_TRANCHES],
    order_by="financing_usd_bn DESC NULLS LAST, commitments_usd_bn DESC NULLS LAST, supplier, customer",
)

capital_cycles = sql_table_asset(
    "mart",
    "capital_cycles",
    description=(
        "One row per directed cycle of 2 to 5 edges in core.deal_flows (edge = flows from payer to payee), "
        "found with a recursive CTE and listed once, starting at its smallest company name: path, the deal "
        "ids of its edges, each edge's counted amount (overlapping deals never summed), the bottleneck "
        "(smallest edge amount; null when an edge has none) and whether every edge is confirmed by a party "
        "or some only reported by the press. Built by sql/mart/capital_cycles.sql."
    ),
    columns=[
        Column("cycle_id", "VARCHAR", "Canonical node list joined by '>' (starts at the smallest name); stable"),
        Column("path", "VARCHAR", "e.g. NVIDIA -> OpenAI -> Oracle -> NVIDIA"),
        Column("n_edges", "BIGINT", "Number of edges (= companies), 2..5"),
        Column("nodes", "VARCHAR[]", "Companies in cycle order, start not repeated"),
        Column("edge_kinds", "VARCHAR[]", "Flow kinds of each edge in path order (equity, purchase_commitment, warrant, backstop; '+' joins several)"),
        Column("edge_amounts_usd_bn", "DOUBLE[]", "Each edge's amount in path order: sum of its counted flows' known amounts, USD bn; null if none"),
        Column("bottleneck_usd_bn", "DOUBLE", "Smallest edge amount, USD bn; null if an edge has no amount"),
        Column("bottleneck_edge", "VARCHAR", "The edge with the smallest amount"),
        Column("all_edges_confirmed", "BOOLEAN", "Every edge has a flow announced or filed by a party (confidence confirmed_press_release)"),
        Column("press_only_edges", "VARCHAR[]", "Edges resting only on press reports"),
        Column("deal_ids", "VARCHAR[]", "Every deal on the cycle's edges, in path order (overlapping ones included)"),
        SOURCE_URLS,
    ],
    deps=[CORE_DEAL_FLOWS],
    order_by="n_edges, cycle_id",
    chart=warehouse_charts.deal_network,
)

deal_reactions = sql_table_asset(
    "mart",
    "deal_reactions",
    description=(
        "One row per deal announcement and listed party with prices: the event session (the announcement "
        "day, or the next session after a weekend, holiday or after-close news), close-to-close returns on "
        "the event day and compounded over sessions 0..2 and 0..4, market-adjusted abnormal returns "
        "against SPY and QQQ (r - r_market), and the market value added in USD bn where shares outstanding "
        "are known, per USD announced. Built by sql/mart/deal_reactions.sql."
    ),
    columns=[
        Column("deal_id", "VARCHAR", "The deal in raw.deals"),
        Column("ticker", "VARCHAR", "Party's ticker"),
        Column("company", "VARCHAR", "Party (buyer or seller, canonical name)"),
        Column("announced_on", "DATE", "Registry announcement date"),
        Column("event_timing", "VARCHAR", "before_open, during_session, after_close or unknown (relative to the US session)"),
        Column("date_is_approximate", "BOOLEAN", "The registry dates the announcement only to the month or quarter (announced_precision is not 'day')"),
        Column("event_date", "DATE", "Session 0: first session on/after announced_on, after it for after-close news (or any timed news on a non-US listing); null beyond price coverage"),
        Column("prev_trade_date", "DATE", "The session before event_date"),
        Column("currency", "VARCHAR", "Listed currency of prev_close and close"),
        Column("prev_close", "DOUBLE", "Traded close of the session before, listed currency"),
        Column("close", "DOUBLE", "Traded close on event_date, listed currency"),
        Column("return_day0", "DOUBLE", "adj_close(event) / adj_close(session before) - 1"),
        Column("return_cum_0_2", "DOUBLE", "Return compounded over sessions 0..2"),
        Column("return_cum_0_4", "DOUBLE", "Return compounded over sessions 0..4"),
        Column("spy_return_day0", "DOUBLE", "SPY's return on event_date (US listings)"),
        Column("qqq_return_day0", "DOUBLE", "QQQ's return on event_date (US listings)"),
        Column("abnormal_return_day0_spy", "DOUBLE", "return_day0 - spy_return_day0 (simple market-adjusted)"),
        Column("abnormal_return_day0_qqq", "DOUBLE", "return_day0 - qqq_return_day0 (simple market-adjusted)"),
        Column("shares_outstanding_m", "DOUBLE", "Shares outstanding, millions (core.companies), where known"),
        Column("shares_outstanding_date", "DATE", "Date of that share count"),
        Column("market_value_added_usd_bn", "DOUBLE", "shares_outstanding_m x prev_close x return_day0 / 1000, USD bn (USD listings)"),
        Column("amount_usd_bn", "DOUBLE", "Deal's headline amount, USD bn"),
        Column("amount_basis", "VARCHAR", "up to, approx or exact"),
        Column("value_added_per_usd_announced", "DOUBLE", "market_value_added_usd_bn / amount_usd_bn"),
        Column("event_deal_ids", "VARCHAR[]", "Every deal of this ticker on the same event_date: they share one reaction, never add them"),
        Column("price_status", "VARCHAR", "ok, not_listed_yet, beyond_price_coverage, missing_price_day or missing_previous_day"),
        SOURCE_URLS,
    ],
    deps=[RAW_DEALS, CORE_DEAL_FLOWS, CORE_COMPANIES, CORE_PRICES],
    order_by="event_date NULLS LAST, deal_id, ticker",
    chart=warehouse_charts.prices_with_reactions,
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
        "Every return of the mart (day 0, cumulative 0..2 and 0..4, abnormal vs SPY and QQQ) recomputes "
        "from core.prices by another route (each ticker's own series instead of the session calendar) "
        "within 1e-9."
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
