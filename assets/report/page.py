"""The report as one self-contained HTML page (no Dagster, no DuckDB, no template engine).

Everything the page shows comes from `ReportData` (frames read with sql/report/*.sql, charts as
PNG bytes). Every value from the data is escaped with `html.escape` before it reaches the page;
links are made only from http(s) URLs. The page loads nothing: styles are inline, images are
base64 data URIs, there is no script, and a Content-Security-Policy forbids fetching anything
else, so it works offline and from an e-mail attachment. Links to the sources are plain `<a>`
links a reader may follow. No wall-clock time is printed: the same data gives the same bytes.
"""

from __future__ import annotations

import base64
import html
import re
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl

TITLE = "perpetuum: the circular AI deals around OpenAI"
# (anchor, heading) of every section, in page order.
SECTIONS = (
    ("network", "The deal network and its capital cycles"),
    ("reactions", "Announcement reactions"),
    ("cost-per-gw", "Cost per GW"),
    ("commitments", "Commitments vs revenue"),
    ("warrants", "Warrant status"),
    ("simulation", "Simulation outcomes"),
    ("freshness", "Data freshness and sources"),
)
# chart key -> alt text; the keys ReportData.charts must hold.
CHARTS = {
    "network": "The deal network: companies on a circle, arrows from payer to payee, capital cycles in red",
    "prices": "Share prices of the deal parties indexed to 100, announcement days marked",
    "cost_per_gw": "USD bn per GW of estimates, deals and components against the 50-60 bn reference range",
    "commitments": "OpenAI's committed compute spend by year and counterparty against revenue and target",
    "revenue_mix": "OpenAI's revenue mix by period and source",
    "cash_fan": "Fan chart of OpenAI's simulated cash by scenario",
    "outside_money": "Probability that OpenAI needs outside money by year-end, by scenario",
    "tornado": "Tornado chart: the base case's 2030 median outside money at the low and high end of each parameter",
}
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
SAFE_URL = re.compile(r"^https?://[^\s\"'<>`]+$", re.IGNORECASE)
NA = '<span class="na">–</span>'

STYLE = """
body{font-family:-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;margin:0;color:#222;background:#fafafa;line-height:1.45}
main{max-width:1180px;margin:0 auto;padding:24px 28px 60px;background:#fff}
h1{font-size:1.7em;margin:0 0 .2em}h2{font-size:1.3em;margin:2.2em 0 .5em;border-bottom:2px solid #d7301f;padding-bottom:.2em}
h3{font-size:1.05em;margin:1.4em 0 .4em}p,li{max-width:70em}.lead{color:#555;margin-top:0}
nav ol{columns:2;padding-left:1.4em}a{color:#2c5f9e}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}figcaption{font-size:.88em;color:#555}
table{border-collapse:collapse;font-size:.82em;margin:.6em 0 1.2em;width:100%}
th,td{border:1px solid #ddd;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f1f1f1;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:nth-child(even) td{background:#fcfcfc}.na{color:#aaa}.small{font-size:.85em;color:#555}
.scroll{overflow-x:auto}.bad{color:#b2182b;font-weight:bold}.good{color:#1a9850}
"""


@dataclass(frozen=True)
class ReportData:
    """What the page shows; frames as returned by the sql/report/ SELECTs named in their comments."""

    price_freshness: pl.DataFrame  # price_freshness.sql
    registry_freshness: pl.DataFrame  # registry_freshness.sql
    sec_freshness: pl.DataFrame  # sec_freshness.sql
    cycles: pl.DataFrame  # capital_cycles.sql
    reactions: pl.DataFrame  # reactions_top.sql
    cost_per_gw: pl.DataFrame  # cost_per_gw.sql
    commitments: pl.DataFrame  # commitments_table.sql
    warrants: pl.DataFrame  # warrant_tranches.sql
    outcomes: pl.DataFrame  # outcomes.sql
    headline: pl.DataFrame  # headline.sql
    anchors: pl.DataFrame  # anchor_comparison.sql
    sim_status: pl.DataFrame  # sim_status.sql
    sources: pl.DataFrame  # deal_sources.sql
    charts: Mapping[str, bytes] = field(default_factory=dict)  # CHARTS key -> PNG


# ---------------------------------------------------------------------------------------------
# formatting: every function returns HTML-safe text


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def text(value: object) -> str:
    """Any value as escaped text: None as a dash, lists joined, dates ISO, booleans yes/no."""
    if value is None:
        return NA
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return esc(", ".join("–" if v is None else _plain(v) for v in value)) if value else NA
    if isinstance(value, float):
        return esc(_plain(value))
    if isinstance(value, (date, datetime)):
        return esc(value.isoformat())
    return esc(value)


def _plain(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1e15 else f"{value:.3g}"
    return str(value)


def num(digits: int = 1, suffix: str = "") -> Callable[[object], str]:
    def fmt(value: object) -> str:
        if value is None:
            return NA
        return esc(f"{float(value):,.{digits}f}{suffix}")

    return fmt


def pct(signed: bool = False, digits: int = 1) -> Callable[[object], str]:
    def fmt(value: object) -> str:
        if value is None:
            return NA
        return esc(f"{float(value) * 100:{'+' if signed else ''}.{digits}f} %")

    return fmt


def yes_no(good_when: bool | None = None) -> Callable[[object], str]:
    def fmt(value: object) -> str:
        if value is None:
            return NA
        css = "" if good_when is None else (' class="good"' if value == good_when else ' class="bad"')
        return f"<span{css}>{'yes' if value else 'no'}</span>"

    return fmt


def link(url: object, label: object | None = None) -> str:
    """An <a> to an http(s) URL (escaped), else the value as plain text: a `javascript:` or other
    scheme in the registry never becomes a link."""
    if url is None:
        return text(label) if label is not None else NA
    shown = label if label is not None else url
    if isinstance(url, str) and SAFE_URL.match(url.strip()):
        return f'<a href="{esc(url.strip())}" rel="noopener noreferrer">{esc(shown)}</a>'
    return esc(f"{shown} ({url})" if label is not None else url)


@dataclass(frozen=True)
class Col:
    """A table column: `fmt` formats the row's value of `name`; `cell`, if given, formats the whole row."""

    name: str
    header: str
    fmt: Callable[[object], str] = text
    numeric: bool = False
    cell: Callable[[dict], str] | None = None


def table(frame: pl.DataFrame, columns: Sequence[Col], empty: str = "no rows") -> str:
    if frame.is_empty():
        return f'<p class="small">{esc(empty)}</p>'
    head = "".join(f"<th>{esc(c.header)}</th>" for c in columns)
    rows = []
    for row in frame.iter_rows(named=True):
        cells = "".join(("<td class=\"num\">" if c.numeric else "<td>") + (c.cell(row) if c.cell else c.fmt(row.get(c.name))) + "</td>"
                        for c in columns)
        rows.append(f"<tr>{cells}</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    return struct.unpack(">II", png[16:24])


def figure(png: bytes | None, alt: str, caption: str) -> str:
    if not png:
        return f'<p class="small">chart unavailable: {esc(alt)}</p>'
    width, height = png_size(png)
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}" width="{width}" height="{height}">'
            f"<figcaption>{caption}</figcaption></figure>")


# ---------------------------------------------------------------------------------------------
# sections


def _as_of(data: ReportData) -> str:
    prices = data.price_freshness
    parts = []
    if not prices.is_empty():
        last = prices["last_trade_date"].max()
        behind = prices.filter(pl.col("last_trade_date") < last)
        sources = sorted({s for v in prices["sources"].to_list() if v for s in v.split(",")})
        parts.append(f"<li>Share prices up to <b>{text(last)}</b>, served by <b>{esc(', '.join(sources))}</b>"
                     + (" (the bundled offline snapshot, not a live source)" if sources == ["snapshot"] else "")
                     + "."
                     + ("" if behind.is_empty() else " Ending earlier: " + esc(", ".join(
                         f"{t} {d.isoformat()}" for t, d in behind.select("ticker", "last_trade_date").iter_rows())) + ".")
                     + "</li>")
    else:
        parts.append("<li>No share prices loaded yet.</li>")
    if not data.registry_freshness.is_empty():
        dated = data.registry_freshness.drop_nulls("last_source_date")
        files = ", ".join(f"{f} {d.isoformat()}" for f, d in dated.select("file", "last_source_date").iter_rows())
        parts.append(f"<li>Deal registry (data/registry/): latest source date per file: {esc(files)}.</li>")
    if not data.sec_freshness.is_empty():
        sec = ", ".join(f"{r['filings']} filings from {r['source']} up to {r['last_filing_date']}" for r in data.sec_freshness.iter_rows(named=True))
        parts.append(f"<li>SEC EDGAR: {esc(sec)}.</li>")
    runs = data.outcomes.select("scenario", "n_paths", "seed").unique().sort("scenario") if not data.outcomes.is_empty() else None
    if runs is not None and runs.height:
        sims = ", ".join(f"{s} ({int(n):,} paths, seed {int(seed)})" if n is not None and seed is not None else s for s, n, seed in runs.iter_rows())
        parts.append(f"<li>Simulation scenarios: {esc(sims)}.</li>")
    return "<ul>" + "".join(parts) + "</ul>"


def _header(data: ReportData) -> str:
    toc = "".join(f'<li><a href="#{anchor}">{esc(title)}</a></li>' for anchor, title in SECTIONS)
    return (f"<header><h1>{esc(TITLE)}</h1>"
            '<p class="lead">Who invests in whom and who buys from whom among the chip makers, clouds and OpenAI; '
            "how the markets reacted; what a gigawatt costs; what OpenAI has committed against what it earns; and a "
            "Monte Carlo of how long the loop can run. Generated by the <code>report/perpetuum</code> asset from the "
            "project's DuckDB warehouse; figures in USD billions unless stated.</p>"
            f'{headline(data)}<p class="small">How this compares with HSBC, The Information, OpenAI and others: '
            '<a href="#simulation">Simulation outcomes</a>.</p>'
            f"<h3>Data as of</h3>{_as_of(data)}<nav><ol>{toc}</ol></nav></header>")


def _section(anchor: str, body: str) -> str:
    heading = dict(SECTIONS)[anchor]
    return f'<section id="{anchor}"><h2>{esc(heading)}</h2>{body}</section>'


def _network(data: ReportData) -> str:
    cycles = table(data.cycles, [
        Col("path", "cycle"),
        Col("n_edges", "edges", numeric=True),
        Col("edge_kinds", "edge kinds, in path order"),
        Col("edge_amounts_usd_bn", "edge amounts (USD bn, counted flows)"),
        Col("bottleneck_usd_bn", "bottleneck (USD bn)", num(1), numeric=True),
        Col("bottleneck_edge", "bottleneck edge"),
        Col("all_edges_confirmed", "every edge confirmed by a party", yes_no(True)),
        Col("press_only_edges", "edges resting on press reports only"),
    ], empty="no capital cycles found")
    return _section("network", figure(data.charts.get("network"), CHARTS["network"],
                    "Every flow of money or value in <code>core.deal_flows</code> (equity: investor → investee; purchase "
                    "commitment: customer → supplier; warrant: issuer → holder). Red edges lie on at least one capital "
                    "cycle (<code>mart.capital_cycles</code>).")
                    + f"<h3>The capital cycles ({data.cycles.height})</h3>" + cycles
                    + '<p class="small">An edge amount sums only flows that count in totals (one per overlap group, never an '
                      "umbrella programme); the bottleneck is the smallest edge and is empty when an edge's amount is undisclosed.</p>")


def _reactions(data: ReportData) -> str:
    rows = table(data.reactions, [
        Col("ticker", "ticker"), Col("company", "company"), Col("event_date", "session 0"), Col("deals", "deal(s)"),
        Col("return_day0", "day-0 return", pct(True), True),
        Col("ar_day0_spy", "abnormal vs SPY (market model)", pct(True), True),
        Col("t_day0_spy", "t", num(2), True),
        Col("confounded", "confounded", yes_no(True)),
        Col("return_cum_0_2", "sessions 0..2", pct(True), True),
        Col("return_cum_0_4", "sessions 0..4", pct(True), True),
        Col("market_value_added_usd_bn", "market value added (USD bn)", num(1), True),
    ], empty="no reactions with prices yet")
    return _section("reactions", "<h3>The strongest reactions (largest market-model abnormal return against SPY)</h3>" + rows
                    + '<p class="small">Close-to-close returns of the first session on or after the announcement on the listing\'s '
                      "own exchange (after-close news: the next one); abnormal returns from an OLS market model estimated over "
                      "sessions -250..-30; confounded: an earnings filing or another deal of the party within sessions -1..+2; "
                      "approximate dates never ranked; deals announced together share one reaction and are never added up. "
                      "Source: <code>mart.deal_reactions</code>.</p>"
                    + figure(data.charts.get("prices"), CHARTS["prices"],
                             "Adjusted closes of every listed deal party, indexed to 100 at the first close of the window; a "
                             "dot marks each announcement session, the largest moves are labelled."))


def _cost(data: ReportData) -> str:
    rows = table(data.cost_per_gw, [
        Col("row_kind", "kind"), Col("label", "what"),
        Col("usd_bn_per_gw", "USD bn per GW", num(1), True),
        Col("low_usd_bn_per_gw", "stated low", num(1), True),
        Col("high_usd_bn_per_gw", "stated high", num(1), True),
        Col("of_ref_mid_share", "of reference mid", pct(), True),
        Col("in_reference", "supports the reference", yes_no()),
        Col("flagged", "flagged (never used)", yes_no(False)),
        Col("basis", "basis"), Col("note", "note"),
    ], empty="no cost-per-GW rows")
    return _section("cost-per-gw", figure(data.charts.get("cost_per_gw"), CHARTS["cost_per_gw"],
                    "Estimates of the all-in cost of one GW of AI data centre, deals with an amount and a capacity "
                    "(amount / GW) and the per-GW components (NVIDIA's hardware and the investment it returns), against "
                    "the reference range stated by most estimates. Flagged figures are listed below, never charted.")
                    + rows)


def _commitments(data: ReportData) -> str:
    rows = table(data.commitments, [
        Col("year", "year"),
        Col("committed_usd_bn", "committed (USD bn)", num(1), True),
        Col("by_counterparty", "by counterparty"),
        Col("undisclosed", "amount undisclosed"),
        Col("overlap_not_counted_usd_bn", "overlapping, not counted", num(1), True),
        Col("revenue_usd_bn", "reported revenue", num(2), True),
        Col("revenue_projection_usd_bn", "OpenAI projection", num(1), True),
        Col("revenue_target_usd_bn", "revenue target", num(1), True),
        Col("coverage_ratio", "revenue / commitments", num(2), True),
        Col("projected_coverage_ratio", "projection / commitments", num(2), True),
        Col("target_coverage_ratio", "target / commitments", num(2), True),
    ], empty="no commitments")
    return _section("commitments", figure(data.charts.get("commitments"), CHARTS["commitments"],
                    "OpenAI's counted purchase commitments spread by the registry's payment terms "
                    "(<code>mart.commitment_schedule</code>); overlapping deals shown apart and never added.")
                    + rows + figure(data.charts.get("revenue_mix"), CHARTS["revenue_mix"],
                                    "Where the revenue comes from (<code>mart.revenue_mix</code>): the app tracker's "
                                    "shares and OpenAI's own statement side by side; a hatched 'other' is the derived "
                                    "residual and includes the segments the source does not state."))


def _warrants(data: ReportData) -> str:
    rows = table(data.warrants, [
        Col("deal_id", "warrant"), Col("issuer", "issuer"), Col("holder", "holder"), Col("tranche", "tranche"),
        Col("shares_m", "shares (m)", num(2), True),
        Col("deployment_condition_gw", "GW condition", num(1), True),
        Col("price_condition_usd", "price condition", num(2), True),
        Col("strike_usd", "strike", num(2), True),
        Col("basis", "basis"), Col("assumed_terms", "assumed terms"),
        Col("latest_close_date", "close date"), Col("latest_close", "latest close", num(2), True), Col("currency", "ccy"),
        Col("price_condition_met", "price condition met", yes_no(True)),
        Col("distance_to_price_condition_return", "rise still needed", pct(True), True),
        Col("intrinsic_value_usd_bn", "intrinsic value (USD bn)", num(2), True),
        Col("counts_in_totals", "counts in totals", yes_no()),
    ], empty="no warrants")
    return _section("warrants", rows + '<p class="small">Thresholds come only from the registry\'s deal terms; terms '
                    "listed as assumed are labelled assumptions, not disclosed figures. Intrinsic value = shares × (close − "
                    "strike), as if vested. Source: <code>mart.warrant_tranches</code>.</p>")


OUTCOME_LABELS = {
    "p_outside_money_by": "P(outside money needed) by end of {year}",
    "outside_money_p50_by": "outside money needed by end of {year}, median (USD bn)",
    "outside_money_p95_by": "outside money needed by end of {year}, p95 (USD bn)",
    "first_stall_month_p50": "month the loop first stalls, median",
    "compute_spend_total_p50": "compute spend to {month}, median (USD bn)",
    "supplier_financed_share_p50": "supplier-financed share of compute spend to {month}, median",
    "outside_money_p05_by": "outside money needed by end of {year}, p05 (USD bn)",
    "p_amd_at_or_above_target_at_end": "P(AMD at or above 600 USD in {month})",
    "p_amd_touches_target_by_end": "P(AMD touches 600 USD by {month})",
    "warrant_value_pv_expected": "value of the vested warrant shares, discounted to {month}, expected (USD bn)",
    "warrant_shares_vested_expected": "warrant shares vested by {month}, expected (million)",
    "warrant_value_expected": "value of the vested warrant shares by {month}, expected (USD bn)",
}


def _outcome_value(value: float | None, unit: str | None, month: date | None) -> str:
    if unit == "month":
        return text(month.strftime("%Y-%m") if month else None)
    if value is None:
        return NA
    if unit in ("probability", "share"):
        return pct()(value)
    if unit and unit.startswith("USD bn"):
        return num(1)(value)
    return esc(f"{value:,.2f}" + (f" {unit}" if unit and unit not in ("million shares",) else ""))


def outcomes_by_scenario(outcomes: pl.DataFrame) -> tuple[list[str], list[tuple[str, dict[str, str]]]]:
    """(scenarios in bear, base, bull order; rows of (label, {scenario: formatted value}))."""
    order = ("bear", "base", "bull")
    present = set(outcomes["scenario"].to_list())
    scenarios = [s for s in order if s in present] + sorted(present - set(order))
    rows: dict[tuple, tuple[str, dict[str, str]]] = {}
    for r in outcomes.iter_rows(named=True):
        month = r["month"]
        key = (r["outcome"], None if r["unit"] == "month" else month)
        template = OUTCOME_LABELS.get(r["outcome"], r["outcome"] + (" ({month})" if month else ""))
        label = template.format(year=month.year if month else "", month=month.strftime("%Y-%m") if month else "")
        rows.setdefault(key, (label, {}))[1][r["scenario"]] = _outcome_value(r["value"], r["unit"], month)
    return scenarios, list(rows.values())


def headline(data: ReportData) -> str:
    """The base case's outside money by the last simulated year end, in one sentence (or why it is missing)."""
    skipped = "".join(f'<p class="bad">Simulation {esc(r["part"])} {esc(r["status"])}: {esc(r["reason"])}</p>'
                      for r in data.sim_status.iter_rows(named=True))
    if data.headline.is_empty() or data.headline["p50"][0] is None:
        return skipped or '<p class="small">no simulation outcomes in sim.outcomes yet</p>'
    r = data.headline.row(0, named=True)
    return skipped + (f'<p><b>Base case: OpenAI needs a median {num(0)(r["p50"])} bn USD of outside money by the end of '
                      f'{r["month"].year} (90 % of paths between {num(0)(r["p05"])} and {num(0)(r["p95"])} bn; '
                      f'probability {pct(digits=0)(r["probability"])}).</b> Below, the same figure beside the '
                      'published estimates.</p>')


def _anchors(data: ReportData) -> str:
    return "<h3>Beside the published estimates</h3>" + table(data.anchors, [
        Col("anchor_id", "id"), Col("publisher", "publisher"), Col("quantity", "quantity"), Col("period", "period"),
        Col("anchor_value", "published", num(0), True), Col("model_p05", "model p05", num(0), True),
        Col("model_p50", "model p50", num(0), True), Col("model_p95", "model p95", num(0), True),
        Col("ratio_model_to_anchor", "model / published", num(2), True), Col("driver", "main driver of the difference"),
        Col("source_url", "source", lambda u: link(u, "source")), Col("source_date", "dated"),
    ], empty="no anchor comparison in sim.anchor_comparison yet")


def _simulation(data: ReportData) -> str:
    if data.outcomes.is_empty():
        body = '<p class="small">no simulation outcomes in sim.outcomes yet</p>'
    else:
        scenarios, rows = outcomes_by_scenario(data.outcomes)
        head = "<th>outcome</th>" + "".join(f"<th>{esc(s)}</th>" for s in scenarios)
        cells = "".join(f"<tr><td>{esc(label)}</td>" + "".join(f'<td class="num">{values.get(s, NA)}</td>' for s in scenarios) + "</tr>"
                        for label, values in rows)
        body = f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table></div>'
    return _section("simulation", headline(data) + _anchors(data)
                    + figure(data.charts.get("tornado"), CHARTS["tornado"],
                             "Each parameter of the base case set to the low and then the high end of its stated range "
                             "(data/registry/scenarios.csv), all others unchanged, same paths: sim.sensitivity.")
                    + figure(data.charts.get("cash_fan"), CHARTS["cash_fan"],
                    "OpenAI's cash month by month across the simulated paths of each scenario: the median, the middle "
                    "half and 90 % of paths. Cash never goes below zero in the model: the shortfall is recorded as "
                    "outside money needed.")
                    + figure(data.charts.get("outside_money"), CHARTS["outside_money"],
                             "Share of paths on which OpenAI has needed outside money by the end of each year.")
                    + "<h3>Outcomes by scenario</h3>" + body
                    + '<p class="small">Every parameter and its source or labelled assumption: <code>sim.scenario_inputs</code> '
                      "and data/registry/scenarios.csv.</p>")


def _freshness(data: ReportData) -> str:
    prices = table(data.price_freshness, [
        Col("ticker", "ticker"), Col("rows", "trading days", numeric=True), Col("first_trade_date", "first"),
        Col("last_trade_date", "last"), Col("last_close", "last close", num(2), True), Col("currency", "ccy"),
        Col("sources", "source(s)"),
    ], empty="no prices")
    registry = table(data.registry_freshness, [
        Col("file", "registry file"), Col("rows", "rows", numeric=True),
        Col("first_source_date", "first source date"), Col("last_source_date", "latest source date"),
    ])
    sec = table(data.sec_freshness, [
        Col("source", "source"), Col("filings", "filings", numeric=True), Col("companies", "companies", numeric=True),
        Col("last_filing_date", "latest filing"),
    ], empty="no SEC filings loaded")
    sources = data.sources.with_columns(
        pl.concat_str(pl.col("buyer"), pl.lit(" → "), pl.col("seller")).alias("parties"),
    ) if not data.sources.is_empty() else data.sources
    deals = table(sources, [
        Col("deal_id", "deal"), Col("announced_on", "announced"), Col("parties", "buyer → seller"),
        Col("deal_type", "type"), Col("amount_usd_bn", "amount (USD bn)", num(2), True), Col("amount_basis", "basis"),
        Col("terms", "terms (registry)"),
        Col("source_url", "source", cell=_source_cell), Col("source_date", "source date"), Col("confidence", "confidence"),
    ], empty="no deals in the registry")
    return _section("freshness", "<h3>Share prices</h3>" + prices + "<h3>Registry files</h3>" + registry
                    + "<h3>SEC filings</h3>" + sec + f"<h3>Sources of the {data.sources.height} deals</h3>" + deals)


def _source_cell(row: dict) -> str:
    """A link to the source page labelled with its publisher; or the named document (no URL)."""
    if row.get("source_url"):
        return link(row["source_url"], row.get("source_publisher"))
    return text(f"{row.get('source_publisher')}: {row.get('source_document')}")


def render(data: ReportData) -> str:
    """The whole page. Same data -> same string."""
    body = "".join([_header(data), _network(data), _reactions(data), _cost(data), _commitments(data), _warrants(data),
                    _simulation(data), _freshness(data)])
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(TITLE)}</title><style>{STYLE}</style></head>"
            f"<body><main>{body}"
            '<footer class="small"><p>perpetuum — data and sources as listed above. This page loads nothing from the '
            "network; the links lead to the original sources.</p></footer></main></body></html>\n")
