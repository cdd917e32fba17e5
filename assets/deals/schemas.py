"""pandera.polars models of the five registry tables: the rules each row must pass on its own.

One model per file of data/registry (the raw table it becomes in brackets):
deals.csv (raw.deals), deal_terms.csv (raw.deal_terms), companies.csv (raw.companies),
metrics.csv (raw.openai_metrics), estimates.csv (raw.reference_estimates).

The models hold types, required cells, allowed values, ranges and formats; their Field
descriptions become the column schema shown in the Dagster UI. Rules that need more than one cell
(amount and basis together, parties against companies.csv, overlap groups, terms against deals,
dates against today) are in rules.py. Every table has `loaded_from` (`deals.csv:12`: the file and
line a row came from), so a row in the warehouse can be traced back to the line that holds it.
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl

from ..settings import TICKER_PATTERN

# deal_type -> kind of flow in core.deal_flows; sql/core/deal_flows.sql maps the same way (a test
# keeps the two in step). The NVIDIA-CoreWeave "backstop" is a capacity purchase obligation
# (compute_purchase), not a loan_guarantee; see data/registry/README.md.
FLOW_KIND = {
    "equity_investment": "equity",
    "chip_supply": "purchase_commitment",
    "cloud_contract": "purchase_commitment",
    "compute_purchase": "purchase_commitment",
    "service_purchase": "purchase_commitment",
    "warrant": "warrant",
    "loan_guarantee": "backstop",
    "financing": "financing",
}
DEAL_TYPES = list(FLOW_KIND)
AMOUNT_BASES = ["up to", "approx", "exact", "estimate"]
ANNOUNCED_PRECISIONS = ["day", "month", "quarter"]  # written 2025-09-22, 2025-09, 2025-Q3 (registry.DATE_FORMS)
OVERLAP_ROLES = ["counted", "overlaps", "umbrella"]
EVENT_TIMINGS = ["before_open", "during_session", "after_close", "unknown"]
CONFIDENCE = ["confirmed_press_release", "reported_by_press", "unverified"]
TERM_UNITS = {  # term_type -> the units its value may be in
    "payment_schedule": ["USD bn"],
    "per_gw_investment": ["USD bn per GW", "USD bn", "GW"],
    "deployment_window": ["GW", "count"],
    "warrant_tranche": ["shares_m", "gw_condition", "price_condition_usd", "strike_usd", "tranche_count", "max_stake_share"],
    "payment_model": [],  # no value and no unit: the item says how the deal's money moves
}
# payment_model item -> the deal types it may describe (the simulation pays each counted deal by it;
# `not_modelled` fits any deal and its rule says why it is left out).
PAYMENT_MODELS = {
    "cloud_capacity": ["cloud_contract", "compute_purchase"],
    "own_capex": ["chip_supply", "compute_purchase"],
    "equity": ["equity_investment"],
    "warrant": ["warrant"],
    "loan_backstop": ["loan_guarantee"],
    "not_modelled": DEAL_TYPES,
}
PAYMENT_MODEL_PERIOD = r"^\d{4}-(0[1-9]|1[0-2])/\d{4}-(0[1-9]|1[0-2])$"
TERM_BASES = ["stated", "derived", "assumption"]
EXCHANGES = ["NASDAQ", "NYSE", "NYSE American", "TSE", "LSE", "HKEX", "KRX", "TWSE", "XETRA", "Euronext"]
METRIC_UNITS = ["USD bn", "USD", "USD bn per GW", "million users", "million shares", "share", "GW", "count"]
ESTIMATE_UNITS = ["USD bn", "USD", "USD bn per GW", "million GPUs", "share", "GW", "count"]
RELIABILITY = ["company_reported", "press_reported", "third_party_estimate", "app_tracker"]

ID_PATTERN = r"^[A-Z0-9]([A-Z0-9.-]*[A-Z0-9])?$"
SNAKE_PATTERN = r"^[a-z][a-z0-9_]*$"
URL_PATTERN = r"^https?://[^\s/?#]+[^\s]*$"
# YYYY, YYYY-H1, YYYY-Q3, YYYY-MM, YYYY-MM-DD, FYYYYY, or an interval start/end of two of these.
_POINT = r"(FY\d{4}|\d{4}(-(H[12]|Q[1-4]|(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?))?)"
PERIOD_PATTERN = rf"^{_POINT}(/{_POINT})?$"
PERIOD_WORDS = "must be a period: YYYY, YYYY-H1, YYYY-Q1, YYYY-MM, YYYY-MM-DD, FYYYYY or start/end of two of these"
LOADED_FROM = r"^[a-z_]+\.csv:\d+$"


def _matches(*columns: str, pattern: str, error: str):
    """A check that every non-empty cell of `columns` matches `pattern`, failing with `error`."""

    @pa.check(*columns, name="format", error=error)
    def check(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).str.contains(pattern).fill_null(True))

    return check


class Deals(pa.DataFrameModel):
    """raw.deals: one row per announced deal (data/registry/deals.csv)."""

    deal_id: str = pa.Field(unique=True, description="Unique id, BUYER-SELLER-YYYY-MM[-TAG] style, never reused")
    announced_on: dt.date = pa.Field(description="First public announcement or report: the day, or the first day of the month or quarter when the source gives only that (see announced_precision)")
    announced_precision: str = pa.Field(isin=ANNOUNCED_PRECISIONS, description="day, month or quarter: how precisely the sources date the announcement (written 2025-09-22, 2025-09, 2025-Q3); only day-precise dates can be placed on a trading session")
    buyer: str = pa.Field(description="Party that pays or acquires (investor, warrant holder, customer) as written; resolves through companies.csv")
    seller: str = pa.Field(description="Counterparty (investee, warrant issuer, supplier) as written; resolves through companies.csv")
    deal_type: str = pa.Field(isin=DEAL_TYPES, description="equity_investment, chip_supply, cloud_contract, compute_purchase, service_purchase, warrant, loan_guarantee or financing (bonds, loans, project capital)")
    amount_usd_bn: float = pa.Field(ge=0, nullable=True, description="Headline amount in USD bn; null when not disclosed")
    amount_basis: str = pa.Field(isin=AMOUNT_BASES, nullable=True, description="up to (ceiling), approx (press figure or conflicting reports), exact (stated by a party, confidence confirmed_press_release), estimate (only an analyst or outlet estimated it; terms name the estimator after 'ESTIMATE:'); set exactly when an amount is")
    capacity_gw: float = pa.Field(gt=0, nullable=True, description="Gigawatts the deal covers; null if none stated")
    start_period: str = pa.Field(nullable=True, description="Start of the deal's term (period syntax: 2026-H2, 2027, FY2028, ...)")
    end_period: str = pa.Field(nullable=True, description="End of the deal's term (period syntax)")
    overlap_group: str = pa.Field(nullable=True, description="Rows describing (partly) the same money share a group; never summed")
    overlap_role: str = pa.Field(isin=OVERLAP_ROLES, nullable=True, description="counted (the one row of its group that totals include), overlaps (money already in the counted row) or umbrella (a programme containing other rows' money, never in bilateral totals)")
    event_timing: str = pa.Field(isin=EVENT_TIMINGS, description="When the news reached the market relative to the US session on announced_on")
    terms: str = pa.Field(description="Summary of the terms in our own words, with the evidence for event_timing")
    source_publisher: str = pa.Field(description="Who published the source")
    source_url: str = pa.Field(nullable=True, description="http(s) URL of the stored source page")
    source_document: str = pa.Field(nullable=True, description="Named source document when there is no URL")
    source_date: dt.date = pa.Field(description="Publication date of the source")
    confidence: str = pa.Field(isin=CONFIDENCE, description="confirmed_press_release (a party announced or filed it) or reported_by_press")
    loaded_from: str = pa.Field(str_matches=LOADED_FROM, description="File and line of the registry row, e.g. deals.csv:12")

    class Config:
        strict = True

    id_format = _matches("deal_id", "overlap_group", pattern=ID_PATTERN, error="must be capital letters, digits, '.' and '-' (e.g. NVDA-OAI-2025-09)")
    period_format = _matches("start_period", "end_period", pattern=PERIOD_PATTERN, error=PERIOD_WORDS)
    url_format = _matches("source_url", pattern=URL_PATTERN, error="must be an http(s) URL")


class DealTerms(pa.DataFrameModel):
    """raw.deal_terms: structured terms of the deals in long format (data/registry/deal_terms.csv)."""

    deal_id: str = pa.Field(description="The deal the term belongs to (a deal_id of deals.csv)")
    term_type: str = pa.Field(isin=list(TERM_UNITS), description="payment_schedule, per_gw_investment, deployment_window, warrant_tranche or payment_model")
    item: str = pa.Field(description="What the row describes: annual_payment, tranche_1, first_gw, total, ...")
    period: str = pa.Field(nullable=True, description="When it applies (period syntax); null if not stated")
    value: float = pa.Field(ge=0, nullable=True, description="The number, in `unit`; empty only for a payment_model")
    unit: str = pa.Field(nullable=True, description="USD bn, USD bn per GW, GW, count; warrant tranches: shares_m, gw_condition, price_condition_usd, strike_usd, tranche_count, max_stake_share; empty only for a payment_model")
    basis: str = pa.Field(isin=TERM_BASES, description="stated (the source says it), derived (arithmetic, see rule) or assumption (a modelling choice, reason in note)")
    rule: str = pa.Field(nullable=True, description="How the value follows from the source")
    source_url: str = pa.Field(nullable=True, description="http(s) URL of the source of the figure (or of the figures it is derived from)")
    source_document: str = pa.Field(nullable=True, description="Named source document when there is no URL")
    source_date: dt.date = pa.Field(description="Publication date of the source")
    note: str = pa.Field(nullable=True, description="Caveats and conflicts; assumptions start with 'ASSUMPTION:' and give the reason")
    loaded_from: str = pa.Field(str_matches=LOADED_FROM, description="File and line of the registry row, e.g. deal_terms.csv:12")

    class Config:
        strict = True

    item_format = _matches("item", pattern=SNAKE_PATTERN, error="must be snake_case (a-z, 0-9, _)")
    period_format = _matches("period", pattern=PERIOD_PATTERN, error=PERIOD_WORDS)
    url_format = _matches("source_url", pattern=URL_PATTERN, error="must be an http(s) URL")


class Companies(pa.DataFrameModel):
    """raw.companies: every party named in deals.csv, with its other spellings (data/registry/companies.csv)."""

    company: str = pa.Field(unique=True, description="Canonical name")
    aliases: str = pa.Field(nullable=True, description="Other spellings used in deals.csv, separated by '|'")
    ticker: str = pa.Field(nullable=True, description="Yahoo-style ticker (NVDA, 9984.T); null if not listed")
    exchange: str = pa.Field(isin=EXCHANGES, nullable=True, description="Listing exchange; null if not listed")
    currency: str = pa.Field(description="Trading currency if listed, else reporting currency (ISO code)")
    sec_cik: str = pa.Field(nullable=True, description="10-digit zero-padded SEC CIK, for SEC filers only")
    listed: bool = pa.Field(description="Whether the shares trade on an exchange")
    shares_outstanding_m: float = pa.Field(gt=0, nullable=True, description="Shares outstanding in millions, where a source gives them")
    shares_outstanding_date: dt.date = pa.Field(nullable=True, description="Date the share count refers to")
    shares_source_url: str = pa.Field(nullable=True, description="http(s) URL of the share count's source")
    note: str = pa.Field(nullable=True, description="Context: consortium members, listing date, why a field is empty")
    loaded_from: str = pa.Field(str_matches=LOADED_FROM, description="File and line of the registry row, e.g. companies.csv:3")

    class Config:
        strict = True

    ticker_format = _matches("ticker", pattern=TICKER_PATTERN.pattern, error="must be a Yahoo-style ticker (NVDA, BRK-B, 9984.T)")
    cik_format = _matches("sec_cik", pattern=r"^\d{10}$", error="must be 10 digits, zero-padded (0001045810)")
    currency_format = _matches("currency", pattern=r"^[A-Z]{3}$", error="must be a 3-letter ISO currency code")
    url_format = _matches("shares_source_url", pattern=URL_PATTERN, error="must be an http(s) URL")


class OpenAIMetrics(pa.DataFrameModel):
    """raw.openai_metrics: OpenAI's reported figures and the seed article's figures (data/registry/metrics.csv).

    Conflicting reports of the same figure stay separate rows."""

    metric_id: str = pa.Field(unique=True, description="Unique id M001, M002, ...")
    metric: str = pa.Field(description="snake_case name, e.g. revenue, net_loss, revenue_mix_api_share")
    period: str = pa.Field(description="Period the figure covers (period syntax; a date for point-in-time figures)")
    value: float = pa.Field(description="The figure in `unit` (shares as fractions: 68.5 % is 0.685)")
    unit: str = pa.Field(isin=METRIC_UNITS, description="USD bn, USD, USD bn per GW, million users, million shares, share, GW or count")
    source_publisher: str = pa.Field(description="Who published the source")
    source_url: str = pa.Field(nullable=True, description="http(s) URL of the stored source page")
    source_document: str = pa.Field(nullable=True, description="Named source document when there is no URL (the seed article)")
    source_date: dt.date = pa.Field(description="Publication date of the source")
    reliability: str = pa.Field(isin=RELIABILITY, description="company_reported, press_reported, third_party_estimate or app_tracker")
    note: str = pa.Field(nullable=True, description="Context, conversions, conflicts, how source_date was set")
    loaded_from: str = pa.Field(str_matches=LOADED_FROM, description="File and line of the registry row, e.g. metrics.csv:12")

    class Config:
        strict = True

    id_format = _matches("metric_id", pattern=r"^M\d{3,}$", error="must be M followed by at least three digits (M001)")
    name_format = _matches("metric", pattern=SNAKE_PATTERN, error="must be snake_case (a-z, 0-9, _)")
    period_format = _matches("period", pattern=PERIOD_PATTERN, error=PERIOD_WORDS)
    url_format = _matches("source_url", pattern=URL_PATTERN, error="must be an http(s) URL")


class ReferenceEstimates(pa.DataFrameModel):
    """raw.reference_estimates: cost per GW, supplier content, backlogs, share-price reactions (data/registry/estimates.csv)."""

    estimate_id: str = pa.Field(unique=True, description="Unique id E001, E002, ...")
    item: str = pa.Field(description="snake_case name: cost_per_gw_all_in, nvidia_content_per_gw, oracle_rpo, share_price_move_close, ...")
    subject: str = pa.Field(description="Ticker or what is estimated")
    period: str = pa.Field(description="Date or period of the estimate or price move (period syntax)")
    value: float = pa.Field(description="The estimate (the midpoint for ranges; shares as fractions)")
    unit: str = pa.Field(isin=ESTIMATE_UNITS, description="USD bn, USD, USD bn per GW, million GPUs, share, GW or count")
    low: float = pa.Field(nullable=True, description="Lower end of a range, if given")
    high: float = pa.Field(nullable=True, description="Upper end of a range, if given")
    source_publisher: str = pa.Field(description="Who published the source")
    source_url: str = pa.Field(nullable=True, description="http(s) URL of the stored source page")
    source_document: str = pa.Field(nullable=True, description="Named source document when there is no URL")
    source_date: dt.date = pa.Field(description="Publication date of the source")
    note: str = pa.Field(nullable=True, description="Context, conversions, conflicts")
    loaded_from: str = pa.Field(str_matches=LOADED_FROM, description="File and line of the registry row, e.g. estimates.csv:12")

    class Config:
        strict = True

    id_format = _matches("estimate_id", pattern=r"^E\d{3,}$", error="must be E followed by at least three digits (E001)")
    item_format = _matches("item", pattern=SNAKE_PATTERN, error="must be snake_case (a-z, 0-9, _)")
    period_format = _matches("period", pattern=PERIOD_PATTERN, error=PERIOD_WORDS)
    url_format = _matches("source_url", pattern=URL_PATTERN, error="must be an http(s) URL")
