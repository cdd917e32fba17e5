"""The marts built from the registry's figures: revenue mix, ARPU, cost per GW, commitment
schedule and source discrepancies (one SQL file in sql/mart/ and one asset each), with their
asset checks (SQL in sql/checks/, no rows = pass).

Conventions: money in USD bn (`_usd_bn`), shares, ratios and returns as fractions (`_share`,
`_ratio`), capacities in GW (`_gw`), dates as DATE; every row lists the registry ids
(`source_ids`: metric, estimate and deal ids, deal_terms.csv lines) and the pages or named
documents (`sources`) it was derived from, and says whether a value is reported, derived or an
assumption. Flagged figures (note 'FLAGGED: ...') are shown as flagged and never used.
"""

import dagster as dg

from ..report import warehouse_charts
from .builder import Column, sql_check, sql_table_asset

RAW_METRICS = ["raw", "openai_metrics"]
RAW_ESTIMATES = ["raw", "reference_estimates"]
RAW_DEAL_TERMS = ["raw", "deal_terms"]
RAW_DEALS = ["raw", "deals"]
CORE_COMPANIES = ["core", "companies"]
CORE_DEAL_FLOWS = ["core", "deal_flows"]
CORE_PRICES = ["core", "prices"]
PERIODS = ("macros/periods.sql",)

SOURCE_IDS = Column("source_ids", "VARCHAR[]", "Registry ids the row is derived from: metric ids (M…), estimate ids (E…), deal ids, deal_terms.csv lines")
SOURCES = Column("sources", "VARCHAR[]", "Source pages (URLs) or, where a source has no URL, the named document")
PERIOD = Column("period", "VARCHAR", "Period in the registry's syntax: YYYY, YYYY-H1, YYYY-Q1, YYYY-MM, YYYY-MM-DD")
PERIOD_START = Column("period_start", "DATE", "First day of the period")
PERIOD_END = Column("period_end", "DATE", "Last day of the period")


revenue_mix = sql_table_asset(
    "mart",
    "revenue_mix",
    description=(
        "One row per period and source that reports how OpenAI's revenue splits between personal "
        "subscriptions, enterprise subscriptions and the API: the stated shares, the residual other "
        "share (derived unless stated), and the segment amounts in USD bn where the same source gives "
        "a total revenue for that period (or API revenue and API share, from which the total is "
        "derived). The seed article's app-tracker mix (personal 0.52 in 2024-01, 0.685 in 2025-04; "
        "enterprise 0.21 in 2025-04; API 0.093 in 2025-Q1) and OpenAI's own statement (enterprise "
        "above 0.40 in 2026-03) stand side by side as separate rows. Built by sql/mart/revenue_mix.sql."
    ),
    columns=[
        PERIOD,
        PERIOD_START,
        PERIOD_END,
        Column("source", "VARCHAR", "Publisher(s) of the figures (one cited page or named document per row)"),
        Column("reliability", "VARCHAR[]", "company_reported, press_reported, third_party_estimate or app_tracker"),
        Column("personal_share", "DOUBLE", "Personal (consumer) subscriptions' share of revenue, as stated; null if the source gives none for the period"),
        Column("enterprise_share", "DOUBLE", "Enterprise subscriptions' share of revenue, as stated"),
        Column("api_share", "DOUBLE", "API's share of revenue, as stated"),
        Column("other_share", "DOUBLE", "The rest: stated, or derived as 1 minus the stated shares (then it includes the unstated_segments)"),
        Column("other_share_basis", "VARCHAR", "reported (the source states it) or derived (the residual)"),
        Column("unstated_segments", "VARCHAR[]", "Named segments (personal, enterprise, api) the source does not give for this period; a derived other_share includes them"),
        Column("lower_bound_shares", "VARCHAR[]", "Shares stated as lower bounds ('more than 40 %'); the derived other_share is then an upper bound"),
        Column("total_revenue_usd_bn", "DOUBLE", "Total revenue for the period from the same source, USD bn"),
        Column("total_revenue_basis", "VARCHAR", "reported, or derived (api_revenue / api_share); null when unknown"),
        Column("total_revenue_rule", "VARCHAR", "How the total was obtained"),
        Column("personal_usd_bn", "DOUBLE", "personal_share x total revenue, USD bn (derived)"),
        Column("enterprise_usd_bn", "DOUBLE", "enterprise_share x total revenue, USD bn (derived)"),
        Column("api_usd_bn", "DOUBLE", "api_share x total revenue, USD bn (derived)"),
        Column("other_usd_bn", "DOUBLE", "other_share x total revenue, USD bn (derived; null if the residual is negative)"),
        Column("amounts_basis", "VARCHAR", "derived when the segment amounts are given"),
        SOURCE_IDS,
        SOURCES,
    ],
    deps=[RAW_METRICS],
    order_by="period_start, period, source",
    prelude=PERIODS,
    chart=warehouse_charts.revenue_mix,
)

arpu = sql_table_asset(
    "mart",
    "arpu",
    description=(
        "One row per ARPU figure for OpenAI: each reported ARPU as printed (basis not stated by the "
        "source), and each ARPU computed as revenue / users for a revenue figure and a user measure "
        "(WAU or MAU) reported within the same period, as monthly USD per user "
        "(revenue / months / mean users). user_basis and period_basis state the basis. Built by "
        "sql/mart/arpu.sql."
    ),
    columns=[
        PERIOD,
        PERIOD_START,
        PERIOD_END,
        Column("source", "VARCHAR", "Publisher of the ARPU (reported) or of the revenue figure (computed)"),
        Column("arpu_kind", "VARCHAR", "reported (as printed) or computed (revenue / users)"),
        Column("arpu_usd", "DOUBLE", "Revenue per user, USD per user on period_basis"),
        Column("period_basis", "VARCHAR", "monthly (computed rows) or 'not stated'"),
        Column("user_basis", "VARCHAR", "WAU (ChatGPT weekly active users), MAU (monthly active users, app tracker) or 'not stated'"),
        Column("revenue_usd_bn", "DOUBLE", "Revenue of the period, USD bn (computed rows)"),
        Column("revenue_months", "BIGINT", "Months in the revenue period"),
        Column("users_m", "DOUBLE", "Mean of the user counts reported within the period, millions"),
        Column("user_counts", "BIGINT", "How many user counts the mean is taken over"),
        Column("user_periods", "VARCHAR[]", "Dates or months of those user counts"),
        Column("basis", "VARCHAR", "reported or derived"),
        Column("rule", "VARCHAR", "How the ARPU was obtained"),
        Column("note", "VARCHAR", "Caveats: lower-bound user counts make the ARPU an upper bound; the source's note for reported rows"),
        Column("reliability", "VARCHAR[]", "Reliability of the figures used"),
        SOURCE_IDS,
        SOURCES,
    ],
    deps=[RAW_METRICS],
    order_by="period_start, period, arpu_kind, user_basis, source",
    prelude=PERIODS,
)

cost_per_gw = sql_table_asset(
    "mart",
    "cost_per_gw",
    description=(
        "What a gigawatt of AI data centre costs and who pays for it. One row per (row_kind) "
        "'estimate': an all-in cost-per-GW estimate (flagged ones, like the seed article's "
        "mistranslated 5-6 bn, listed with flagged = true and never used); 'deal': a purchase commitment "
        "with an amount and a capacity, by cost_kind: capex (chips and systems: amount / GW) or rental "
        "(cloud contracts: per GW over the term and per GW per year, e.g. Oracle 300 bn / 4.5 GW / 5 "
        "years = 13.33 bn per GW per year); equity never enters cost per GW; "
        "'component': a part of one GW's cost — a supplier's hardware (NVIDIA ~35 bn), the supplier's "
        "own investment that comes back to the buyer (NVIDIA's 10 bn per GW) and what the supplier "
        "keeps net of it. Each row is set against the reference all-in cost per GW (low / mid / high, "
        "50 / 55 / 60 from the registry's estimates). Built by sql/mart/cost_per_gw.sql."
    ),
    columns=[
        Column("row_kind", "VARCHAR", "estimate, deal or component"),
        Column("item", "VARCHAR", "Estimate item or metric (estimate), flow kind (deal), or supplier_hardware / supplier_investment_returned / supplier_hardware_net_of_investment (component)"),
        Column("deal_id", "VARCHAR", "The deal (deal rows, and components taken from a deal's terms)"),
        Column("payer", "VARCHAR", "Who pays: the deal's payer, or the supplier whose investment comes back"),
        Column("payee", "VARCHAR", "Who is paid: the deal's payee, the supplier (hardware), or the buyer receiving the investment"),
        Column("amount_usd_bn", "DOUBLE", "Deal amount, USD bn (deal rows)"),
        Column("capacity_gw", "DOUBLE", "Deal capacity, GW (deal rows)"),
        Column("cost_kind", "VARCHAR", "capex (building a GW: estimates, chips and systems, components) or rental (cloud contracts, compute bought as a service); null for the supplier's investment returned"),
        Column("usd_bn_per_gw", "DOUBLE", "USD bn per GW of capex: the estimate, a chip/system deal's amount / capacity, or the component; null for rentals"),
        Column("capex_usd_bn_per_gw", "DOUBLE", "Deal rows of kind capex: amount / capacity, USD bn per GW"),
        Column("rental_usd_bn_per_gw_term", "DOUBLE", "Deal rows of kind rental: amount / capacity over the whole term, USD bn per GW"),
        Column("rental_usd_bn_per_gw_year", "DOUBLE", "Rental per GW per year: rental_usd_bn_per_gw_term / rental_term_years (null when the term is unknown)"),
        Column("rental_term_years", "DOUBLE", "Years of the rental: years with payment terms in deal_terms, else start_period..end_period / 12"),
        Column("low_usd_bn_per_gw", "DOUBLE", "Low end of the estimate's range, where stated"),
        Column("high_usd_bn_per_gw", "DOUBLE", "High end of the estimate's range, where stated"),
        Column("ref_low_usd_bn_per_gw", "DOUBLE", "Reference all-in cost per GW, low end: the range stated by the most estimates"),
        Column("ref_mid_usd_bn_per_gw", "DOUBLE", "Reference all-in cost per GW, mid ((low + high) / 2)"),
        Column("ref_high_usd_bn_per_gw", "DOUBLE", "Reference all-in cost per GW, high end"),
        Column("of_ref_low_share", "DOUBLE", "usd_bn_per_gw / ref_low (above 1: more than the reference); null for flagged rows"),
        Column("of_ref_mid_share", "DOUBLE", "usd_bn_per_gw / ref_mid (the share of one GW's cost at the reference's mid); null for flagged rows"),
        Column("of_ref_high_share", "DOUBLE", "usd_bn_per_gw / ref_high; null for flagged rows"),
        Column("of_supplier_hardware_share", "DOUBLE", "Components: usd_bn_per_gw / the supplier's hardware per GW (the investment is ~0.29 of NVIDIA's 35 bn)"),
        Column("in_reference", "BOOLEAN", "Estimate rows inside the reference range (its supporting sources)"),
        Column("flagged", "BOOLEAN", "Flagged in the registry (note 'FLAGGED: ...'): shown, never used"),
        Column("basis", "VARCHAR", "reported, derived or assumption"),
        Column("rule", "VARCHAR", "How the value was obtained"),
        Column("note", "VARCHAR", "Caveats from the registry (amount basis, overlap group, confidence, flags)"),
        SOURCE_IDS,
        SOURCES,
    ],
    deps=[RAW_ESTIMATES, RAW_METRICS, RAW_DEAL_TERMS, RAW_DEALS, CORE_COMPANIES, CORE_DEAL_FLOWS],
    order_by="row_kind, item, deal_id",
    prelude=PERIODS,
    chart=warehouse_charts.cost_per_gw,
)

commitment_schedule = sql_table_asset(
    "mart",
    "commitment_schedule",
    description=(
        "One row per calendar year and counterparty: OpenAI's committed compute spend (its purchase "
        "commitments) spread by the registry's payment terms (e.g. Oracle's ~300 bn split evenly into "
        "60 bn a year for 2027-2031, derived), with the rules used, the deals counted and, apart, the "
        "money of overlapping deals that is never counted (Oracle's stated ~30 bn a year). Next to it, "
        "for the year: all counted commitments (and the commitments without an amount that are active "
        "in it), OpenAI's reported revenue, its own projection (labelled) and stated target, and the "
        "coverage ratios revenue / commitments and projection / commitments. Commitments without an amount or a period have "
        "calendar_year NULL. Built by sql/mart/commitment_schedule.sql."
    ),
    columns=[
        Column("calendar_year", "BIGINT", "Calendar year of the payments; NULL for commitments that cannot be spread (no amount or no period)"),
        Column("counterparty", "VARCHAR", "The supplier OpenAI pays (canonical company)"),
        Column("committed_usd_bn", "DOUBLE", "Counted commitments to this counterparty in this year, USD bn (null: amount not disclosed)"),
        Column("basis", "VARCHAR", "reported (stated terms or headline), derived (spread by a rule) or assumption"),
        Column("rules", "VARCHAR[]", "The spreading rules used on this row, e.g. 'even split of the ~300 bn total over the stated ~5 years starting 2027'"),
        Column("amount_bases", "VARCHAR[]", "Headline amount bases of the counted deals: 'up to' (a ceiling), approx, exact"),
        Column("deal_ids", "VARCHAR[]", "Counted deals (one per overlap group; never an umbrella programme)"),
        Column("overlapping_usd_bn", "DOUBLE", "Money of deals that overlap a counted deal (same overlap group), USD bn: shown, not counted"),
        Column("overlapping_deal_ids", "VARCHAR[]", "Those overlapping deals"),
        Column("year_committed_usd_bn", "DOUBLE", "All counted commitments of the year, every counterparty, USD bn (repeated on each row of the year)"),
        Column("year_unscheduled_deal_ids", "VARCHAR[]", "OpenAI's counted commitments active in the year (by period, else announcement) with no amount or no spreadable period: not in year_committed_usd_bn"),
        Column("revenue_usd_bn", "DOUBLE", "OpenAI's reported revenue for the year, USD bn (most recently published figure; repeated per row)"),
        Column("revenue_projection_usd_bn", "DOUBLE", "OpenAI's own projection of the year's revenue (metric revenue_projection, latest vintage), USD bn: a projection, not revenue"),
        Column("revenue_projection_label", "VARCHAR", "'projection (<publisher>, published <date>)': which vintage the projection is"),
        Column("revenue_target_usd_bn", "DOUBLE", "OpenAI's stated revenue target for the year, USD bn (repeated per row)"),
        Column("coverage_ratio", "DOUBLE", "revenue_usd_bn / year_committed_usd_bn, where both are known"),
        Column("projected_coverage_ratio", "DOUBLE", "revenue_projection_usd_bn / year_committed_usd_bn, where both are known"),
        Column("target_coverage_ratio", "DOUBLE", "revenue_target_usd_bn / year_committed_usd_bn, where both are known"),
        Column("coverage_is_upper_bound", "BOOLEAN", "year_unscheduled_deal_ids is not empty: the year's commitments are incomplete, so every coverage ratio is an upper bound"),
        SOURCE_IDS,
        SOURCES,
    ],
    deps=[RAW_DEAL_TERMS, RAW_METRICS, CORE_DEAL_FLOWS],
    order_by="calendar_year NULLS LAST, counterparty",
    prelude=PERIODS,
    chart=warehouse_charts.commitments,
)

source_discrepancies = sql_table_asset(
    "mart",
    "source_discrepancies",
    description=(
        "One row per pair of figures for the same thing, from two sources, that disagree beyond a "
        "stated tolerance (5 % relative for amounts, 1 percentage point for share-price moves): both "
        "values with their periods, bases and sources, the values on a common basis (per year, per "
        "month), the gap and the relative gap. E.g. Oracle's stated ~30 bn a year against the derived "
        "~60 bn a year; the app tracker's mix implying ~0.71 bn of revenue for 2025-Q1 against 4.3 bn "
        "reported for 2025-H1 read as a quarterly figure, beside the monthly reading that reconciles; a "
        "20-25 bn cost-per-GW estimate against the 50-60 bn reference; the seed article's 43 % in four "
        "trading days against the prices (+41.43 % over four sessions, +43.05 % over three); flagged "
        "figures (the mistranslated 5-6 bn per GW) listed against the reference they garble, never used "
        "elsewhere. Built by sql/mart/source_discrepancies.sql."
    ),
    columns=[
        Column("discrepancy_id", "VARCHAR", "comparison:a:b, stable across runs"),
        Column("comparison", "VARCHAR", "same_figure, estimate_vs_reference, overlap_group_schedule, implied_vs_reported, press_vs_prices or flagged_vs_reference"),
        Column("figure", "VARCHAR", "What both figures measure"),
        Column("unit", "VARCHAR", "Unit of a_value and b_value"),
        Column("a_value", "DOUBLE", "First figure, as stated or derived"),
        Column("a_period", "VARCHAR", "Its period"),
        Column("a_basis", "VARCHAR", "reported, derived or assumption"),
        Column("a_source", "VARCHAR", "Its publisher (or the derivation)"),
        Column("a_source_ids", "VARCHAR[]", "Registry ids behind it"),
        Column("a_sources", "VARCHAR[]", "Its source pages or named documents"),
        Column("b_value", "DOUBLE", "Second figure"),
        Column("b_period", "VARCHAR", "Its period"),
        Column("b_basis", "VARCHAR", "reported, derived or assumption"),
        Column("b_source", "VARCHAR", "Its publisher (or the derivation)"),
        Column("b_source_ids", "VARCHAR[]", "Registry ids (or core.prices rows) behind it"),
        Column("b_sources", "VARCHAR[]", "Its source pages, named documents or tables"),
        Column("comparable_basis", "VARCHAR", "How the two are made comparable: as stated, per year, per month of each period"),
        Column("reading", "VARCHAR", "Which reading of a: as stated; the app tracker's figure for its whole period or read as monthly (both listed side by side); the press move's session count"),
        Column("a_comparable", "DOUBLE", "a on the comparable basis"),
        Column("b_comparable", "DOUBLE", "b on the comparable basis"),
        Column("gap", "DOUBLE", "b_comparable - a_comparable, in the comparable unit"),
        Column("relative_gap_ratio", "DOUBLE", "|gap| / max(|a_comparable|, |b_comparable|)"),
        Column("beyond_tolerance", "BOOLEAN", "This row's gap exceeds the tolerance (false for the other reading of a pair listed side by side)"),
        Column("b_sessions", "BIGINT", "press_vs_prices: sessions the computed move spans"),
        Column("b_value_one_session_less", "DOUBLE", "press_vs_prices: the move computed over one session fewer (the seed article's four trading days: +41.43 % over 4, +43.05 % over 3)"),
        Column("tolerance", "DOUBLE", "The tolerance the pair exceeds (a modelling choice, see the SQL)"),
        Column("tolerance_basis", "VARCHAR", "relative (of the larger range end) or absolute (return points)"),
        Column("note", "VARCHAR", "The registry's notes on both figures, or how the comparison was made"),
    ],
    deps=[RAW_METRICS, RAW_ESTIMATES, RAW_DEAL_TERMS, RAW_DEALS, CORE_DEAL_FLOWS, CORE_PRICES, ["mart", "cost_per_gw"], ["mart", "revenue_mix"]],
    order_by="comparison, figure, discrepancy_id",
    prelude=PERIODS,
)

REGISTRY_MART_ASSETS = [revenue_mix, arpu, cost_per_gw, commitment_schedule, source_discrepancies]

REGISTRY_MART_CHECKS = [
    sql_check(
        "mart", "revenue_mix", "shares_sum_to_one", "checks/revenue_mix_shares_sum.sql",
        "Per period and source the shares add up to 1 within 0.02: the stated shares do not exceed 1 "
        "(the derived residual is not negative beyond 0.02), four stated shares miss 1 by at most 0.02, "
        "and every share lies in 0..1.",
        what="period(s) whose shares do not add up to 1",
    ),
    sql_check(
        "mart", "revenue_mix", "no_negative_amounts", "checks/revenue_mix_no_negative.sql",
        "No total or segment amount (USD bn) is negative.",
        what="row(s) with a negative amount",
    ),
    sql_check(
        "mart", "arpu", "no_negative_amounts", "checks/arpu_no_negative.sql",
        "Every ARPU is a finite non-negative number; no revenue is negative and no user count zero or negative.",
        what="row(s) with a negative or missing ARPU, revenue or user count",
    ),
    sql_check(
        "mart", "cost_per_gw", "no_negative_amounts", "checks/cost_per_gw_no_negative.sql",
        "No amount, capacity, cost per GW or share of the reference is negative.",
        what="row(s) with a negative value",
    ),
    sql_check(
        "mart", "cost_per_gw", "flagged_figures_unused", "checks/cost_per_gw_flagged_unused.sql",
        "Flagged figures (the seed article's mistranslated 5-6 bn per GW) carry no share and are not "
        "part of the reference; the reference range is stated by an unflagged estimate and exists.",
        what="problem(s) with flagged figures or the reference",
    ),
    sql_check(
        "mart", "commitment_schedule", "no_negative_amounts", "checks/commitment_schedule_no_negative.sql",
        "No committed, overlapping, revenue or target amount is negative.",
        what="row(s) with a negative amount",
    ),
    sql_check(
        "mart", "commitment_schedule", "overlap_groups_counted_once", "checks/commitment_schedule_overlap_once.sql",
        "No deal is counted twice inside an overlap group: per calendar year at most one deal of each "
        "overlap group is among the counted deals, and no deal that does not count in totals "
        "(overlapping rows, umbrella programmes) is counted.",
        what="year(s) with an overlap group counted more than once",
    ),
    sql_check(
        "mart", "commitment_schedule", "spread_adds_up_to_deal_amount", "checks/commitment_schedule_spread_totals.sql",
        "Each counted deal's payment terms add up to its headline amount within 0.5 % (a warning: a "
        "schedule that covers only part of a deal understates its commitments).",
        blocking=False,
        severity=dg.AssetCheckSeverity.WARN,
        what="deal(s) whose schedule does not add up to the amount",
    ),
    sql_check(
        "mart", "source_discrepancies", "both_sides_sourced", "checks/source_discrepancies_complete.sql",
        "Every discrepancy names both values and both sources (different ones) and has a relative gap.",
        blocking=False,
        what="incomplete discrepancy row(s)",
    ),
]

__all__ = ["REGISTRY_MART_ASSETS", "REGISTRY_MART_CHECKS"]
