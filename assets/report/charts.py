"""The charts of the UI and the report: pure functions, polars frames in, PNG bytes out.

No Dagster and no DuckDB here: the frames come from the SELECTs in sql/report/ (see
`warehouse_charts`), tests can feed frames directly. Rendering uses matplotlib's object API on the
Agg canvas (no pyplot, no global figure state, no display), a fixed size and dpi, matplotlib's
built-in defaults (never the user's matplotlibrc) and no PNG metadata, so the same frames always
give the same bytes. Every function draws something for an empty frame too (a "no data" note), so
a fresh warehouse never breaks a materialization.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.dates as mdates
import polars as pl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

FIGSIZE = (10.0, 5.2)  # inches
DPI = 100  # -> 1000 x 520 pixels
STYLE = {
    "font.family": "DejaVu Sans",  # shipped with matplotlib: identical glyphs on every machine
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.axisbelow": True,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "savefig.facecolor": "white",
    "path.simplify": False,
}
SCENARIO_ORDER = ("bear", "base", "bull")
SCENARIO_COLORS = {"bear": "#c0392b", "base": "#2c7fb8", "bull": "#2ca25f"}
CYCLE_COLOR = "#d7301f"
EDGE_COLOR = "#9e9e9e"


# ---------------------------------------------------------------------------------------------
# rendering helpers


@contextmanager
def _style() -> Iterator[None]:
    """matplotlib's own defaults plus STYLE, whatever the user's rc files say; restored after."""
    with mpl.rc_context():
        mpl.rcdefaults()
        mpl.rcParams.update(STYLE)
        yield


def _figure() -> Figure:
    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    # metadata Software=None: no matplotlib version in the file, so bytes depend on the data only.
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _no_data(title: str, message: str) -> bytes:
    with _style():
        fig = _figure()
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_title(title)
        ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11, color="#555555", wrap=True)
        return _png(fig)


def _note(fig: Figure, text: str) -> None:
    """A grey footnote under the axes (part of the constrained layout, so it never overlaps)."""
    fig.supxlabel(text, x=0.01, ha="left", fontsize=7.5, color="#555555")


def _scenarios(values: Sequence[str]) -> list[str]:
    """Scenario names in bear, base, bull order, any others after them alphabetically."""
    present = set(values)
    return [s for s in SCENARIO_ORDER if s in present] + sorted(present - set(SCENARIO_ORDER))


def _palette(n: int) -> list:
    cmap = mpl.colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def _pct(x: float, _pos: int | None = None) -> str:
    return f"{x:.0%}"


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# (a) prices of the deal parties with announcement markers


def indexed_prices(prices: pl.DataFrame) -> pl.DataFrame:
    """Each ticker's adj_close indexed to 100 at its first row (ticker, company, trade_date, index)."""
    return (
        prices.sort("ticker", "trade_date")
        .with_columns(index=pl.col("adj_close") / pl.col("adj_close").first().over("ticker") * 100.0)
        .select("ticker", "company", "trade_date", "index")
    )


def event_points(indexed: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """Announcement markers on the price lines: each event placed on its ticker's first trading day
    on or after event_date (a weekend announcement lands on Monday), with that day's move."""
    if events.is_empty() or indexed.is_empty():
        return pl.DataFrame(schema={"ticker": pl.String, "trade_date": pl.Date, "index": pl.Float64, "move": pl.Float64, "deal_ids": pl.List(pl.String)})
    moves = indexed.sort("ticker", "trade_date").with_columns(move=pl.col("index") / pl.col("index").shift(1).over("ticker") - 1.0)
    placed = events.select("ticker", "event_date", "deal_ids").sort("event_date").join_asof(
        moves.sort("trade_date"), left_on="event_date", right_on="trade_date", by="ticker", strategy="forward",
        check_sortedness=False,  # both sides sorted by date above, hence within each ticker
    )
    return (
        placed.drop_nulls("trade_date")
        .group_by("ticker", "trade_date")
        .agg(pl.col("index").first(), pl.col("move").first(), pl.col("deal_ids").list.explode(keep_nulls=False, empty_as_null=False).unique().sort())
        .sort("ticker", "trade_date")
    )


def prices_chart(prices: pl.DataFrame, events: pl.DataFrame, annotate: int = 5) -> bytes:
    """Share prices of the deal parties indexed to 100 at the window's first close, log scale, with
    a marker on each party's line at each announcement; the `annotate` largest moves on an
    announcement day are labelled with the ticker and the day's move.

    prices: ticker, company, trade_date, adj_close (sql/report/deal_party_prices.sql).
    events: ticker, event_date, deal_ids (registry_announcements.sql or reaction_events.sql)."""
    title = "Share prices of the deal parties (indexed, log scale) with deal announcements"
    if prices.is_empty():
        return _no_data(title, "no prices of deal parties in core.prices yet")
    indexed = indexed_prices(prices)
    points = event_points(indexed, events)
    tickers = sorted(indexed["ticker"].unique().to_list())
    colors = dict(zip(tickers, _palette(len(tickers)), strict=True))
    names = dict(indexed.select("ticker", "company").unique().sort("ticker").iter_rows())
    start = indexed["trade_date"].min()
    with _style():
        fig = _figure()
        ax = fig.add_subplot()
        for ticker in tickers:
            series = indexed.filter(pl.col("ticker") == ticker)
            ax.plot(series["trade_date"].to_list(), series["index"].to_list(), color=colors[ticker], lw=1.2,
                    label=f"{ticker} ({names[ticker]})")
            marks = points.filter(pl.col("ticker") == ticker)
            if marks.height:
                ax.scatter(marks["trade_date"].to_list(), marks["index"].to_list(), s=30, color=colors[ticker],
                           edgecolors="black", linewidths=0.7, zorder=3)
        biggest = points.drop_nulls("move").with_columns(size=pl.col("move").abs()).sort(
            ["size", "ticker", "trade_date"], descending=[True, False, False]).head(annotate).sort("trade_date", "ticker")
        for i, row in enumerate(biggest.iter_rows(named=True)):
            # labels stacked in rows at the top, in date order, each with a leader line to its marker
            ax.annotate(f"{row['ticker']} {row['move']:+.0%} on {row['trade_date']}", (row["trade_date"], row["index"]),
                        xytext=(row["trade_date"], 0.97 - 0.065 * i), textcoords=("data", "axes fraction"), fontsize=7.5,
                        ha="right", va="center", color=colors[row["ticker"]], fontweight="bold",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
                        arrowprops={"arrowstyle": "-", "color": "#777777", "lw": 0.6, "shrinkA": 0, "shrinkB": 3})
        ax.axhline(100, color="black", lw=0.6, alpha=0.5)
        ax.set_yscale("log")
        low, high = indexed["index"].min(), indexed["index"].max()
        ticks = [t for t in (25, 50, 75, 100, 150, 200, 300, 400, 600, 800, 1200, 1600) if low * 0.9 <= t <= high * 1.1]
        ax.yaxis.set_major_locator(FixedLocator(ticks))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _p: f"{y:g}"))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        ax.set_ylabel(f"adjusted close, 100 = first close on or after {start}")
        ax.set_title(title)
        handles, labels = ax.get_legend_handles_labels()
        handles.append(Line2D([], [], marker="o", ls="", color="white", markeredgecolor="black", label="announcement"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _png(fig)


# ---------------------------------------------------------------------------------------------
# (b) revenue mix


def revenue_mix_chart(mix: pl.DataFrame) -> bytes:
    """OpenAI's revenue mix per period and source as 100 % stacked bars: personal, enterprise, API
    and other; a derived 'other' (the residual, holding the segments the source does not state) is
    hatched. mix: sql/report/revenue_mix.sql."""
    title = "OpenAI revenue mix by period and source"
    if mix.is_empty():
        return _no_data(title, "no revenue-mix figures in mart.revenue_mix yet")
    segments = [("personal_share", "personal", "#1f77b4"), ("enterprise_share", "enterprise", "#ff7f0e"),
                ("api_share", "API", "#2ca02c"), ("other_share", "other", "#bdbdbd")]
    rows = list(mix.iter_rows(named=True))
    labels = [f"{r['period']}\n{_short(r['source_label'], 30)}" for r in rows]
    with _style():
        fig = _figure()
        ax = fig.add_subplot()
        x = list(range(len(rows)))
        bottoms = [0.0] * len(rows)
        for column, name, color in segments:
            values = [max(r[column] or 0.0, 0.0) for r in rows]
            hatches = ["//" if column == "other_share" and r["other_share_basis"] == "derived" else "" for r in rows]
            for i, (value, hatch) in enumerate(zip(values, hatches, strict=True)):
                if value <= 0:
                    continue
                ax.bar(i, value, bottom=bottoms[i], color=color, hatch=hatch, edgecolor="white", width=0.6)
                if value >= 0.04:
                    bound = "≥ " if column in (rows[i]["lower_bound_shares"] or "") else ""
                    ax.text(i, bottoms[i] + value / 2, f"{name}\n{bound}{value:.0%}", ha="center", va="center", fontsize=7.5)
                bottoms[i] += value
        for i, r in enumerate(rows):
            if r["total_revenue_usd_bn"] is not None:
                ax.text(i, 1.02, f"total {r['total_revenue_usd_bn']:.2f} bn in {r['period']}", ha="center", va="bottom", fontsize=7.5)
        ax.set_xticks(x, labels, fontsize=7.5)
        ax.set_ylim(0, 1.1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel("share of revenue")
        ax.set_title(title)
        handles = [Patch(color=c, label=n) for _col, n, c in segments]
        handles.append(Patch(facecolor="#bdbdbd", hatch="//", edgecolor="white", label="other, derived residual (includes unstated segments)"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _png(fig)


# ---------------------------------------------------------------------------------------------
# (c) cost per GW


def cost_per_gw_chart(costs: pl.DataFrame) -> bytes:
    """USD bn per GW: estimates (with their stated range), deals (amount / capacity) and per-GW
    components as horizontal bars against the shaded reference band; flagged figures (the seed
    article's mistranslated 5-6 bn) are left out and named in a note. costs: sql/report/cost_per_gw.sql."""
    title = "What one GW costs: estimates, deals and components vs the reference"
    if costs.is_empty():
        return _no_data(title, "no cost-per-GW rows in mart.cost_per_gw yet")
    flagged = costs.filter(pl.col("flagged"))
    shown = costs.filter(~pl.col("flagged") & pl.col("usd_bn_per_gw").is_not_null())
    kinds = {"estimate": ("estimate", "#6a51a3"), "deal": ("deal: amount / GW", "#2171b5"), "component": ("per-GW component", "#fd8d3c")}
    rows = list(shown.iter_rows(named=True))
    with _style():
        fig = _figure()
        ax = fig.add_subplot()
        ref = costs.select("ref_low_usd_bn_per_gw", "ref_high_usd_bn_per_gw").drop_nulls().head(1)
        if ref.height:
            low, high = ref.row(0)
            ax.axvspan(low, high, color="#31a354", alpha=0.15, label=f"reference all-in {low:g}-{high:g} bn per GW")
        y = list(range(len(rows)))[::-1]
        for yi, r in zip(y, rows, strict=True):
            kind_label, color = kinds.get(r["row_kind"], (r["row_kind"], "#777777"))
            ax.barh(yi, r["usd_bn_per_gw"], color=color, height=0.6)
            if r["low_usd_bn_per_gw"] is not None and r["high_usd_bn_per_gw"] is not None:
                ax.plot([r["low_usd_bn_per_gw"], r["high_usd_bn_per_gw"]], [yi, yi], color="black", lw=1.2)
                ax.plot([r["low_usd_bn_per_gw"], r["high_usd_bn_per_gw"]], [yi, yi], "|", color="black", ms=7)
            ax.text(max(r["usd_bn_per_gw"], r["high_usd_bn_per_gw"] or 0) + 0.8, yi, f"{r['usd_bn_per_gw']:.1f}", va="center", fontsize=7.5)
        ax.set_yticks(y, [_short(r["label"], 60) for r in rows], fontsize=7.5)
        ax.set_xlabel("USD bn per GW")
        ax.grid(axis="y", visible=False)
        ax.set_title(title)
        handles = [Patch(color=c, label=n) for n, c in kinds.values()]
        handles.insert(0, Patch(color="#31a354", alpha=0.15, label="reference range"))
        handles.append(Line2D([], [], color="black", marker="|", label="stated range of an estimate"))
        ax.legend(handles=handles, loc="lower right")
        if flagged.height:
            values = ", ".join(
                f"{r['usd_bn_per_gw']:g}" + (f" ({r['low_usd_bn_per_gw']:g}-{r['high_usd_bn_per_gw']:g})" if r["low_usd_bn_per_gw"] is not None and r["high_usd_bn_per_gw"] is not None else "")
                for r in flagged.iter_rows(named=True)
            )
            _note(fig, f"Not shown: {flagged.height} flagged figure(s), never used: {values} bn per GW "
                       "(the seed article's factor-10 translation error).")
        return _png(fig)


# ---------------------------------------------------------------------------------------------
# (d) fan chart of cash


def cash_fan_chart(quantiles: pl.DataFrame) -> bytes:
    """OpenAI's simulated cash per scenario, one panel each: p05-p95 and p25-p75 bands and the
    median path (USD bn); below zero never happens, the shortfall is outside money instead.
    quantiles: scenario, month, p05, p25, p50, p75, p95 (sql/report/cash_quantiles.sql)."""
    title = "Simulated cash of OpenAI by scenario (USD bn): median, 25-75 % and 5-95 % of paths"
    if quantiles.is_empty():
        return _no_data(title, "no simulation results in sim.path_quantiles yet")
    scenarios = _scenarios(quantiles["scenario"].to_list())
    with _style():
        fig = _figure()
        axes = fig.subplots(1, len(scenarios), sharey=True, squeeze=False)[0]
        for ax, scenario in zip(axes, scenarios, strict=True):
            frame = quantiles.filter(pl.col("scenario") == scenario).sort("month")
            months = frame["month"].to_list()
            color = SCENARIO_COLORS.get(scenario, "#555555")
            ax.fill_between(months, frame["p05"].to_list(), frame["p95"].to_list(), color=color, alpha=0.15, lw=0, label="5-95 %")
            ax.fill_between(months, frame["p25"].to_list(), frame["p75"].to_list(), color=color, alpha=0.35, lw=0, label="25-75 %")
            ax.plot(months, frame["p50"].to_list(), color=color, lw=1.8, label="median")
            ax.axhline(0, color="black", lw=0.7)
            ax.set_title(scenario)
            ax.xaxis.set_major_locator(mdates.YearLocator())
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
            ax.tick_params(axis="x", labelrotation=45)
        axes[0].set_ylabel("cash, USD bn")
        axes[0].legend(loc="upper left")
        fig.suptitle(title, fontweight="bold", fontsize=11)
        return _png(fig)


# ---------------------------------------------------------------------------------------------
# (e) probability of needing outside money


def outside_money_chart(outside: pl.DataFrame) -> bytes:
    """Probability that OpenAI has needed outside money by each year-end: one bar per scenario and
    year, labelled with the probability. outside: scenario, year_end, p_outside_money
    (sql/report/outside_money.sql)."""
    title = "Probability that OpenAI needs outside money, by year-end"
    frame = outside.drop_nulls("p_outside_money") if not outside.is_empty() else outside
    if frame.is_empty():
        return _no_data(title, "no simulation outcomes in sim.outcomes yet")
    scenarios = _scenarios(frame["scenario"].to_list())
    years = sorted(frame["year_end"].unique().to_list())
    width = 0.8 / len(scenarios)
    with _style():
        fig = _figure()
        ax = fig.add_subplot()
        for i, scenario in enumerate(scenarios):
            values = dict(frame.filter(pl.col("scenario") == scenario).select("year_end", "p_outside_money").iter_rows())
            xs = [k + (i - (len(scenarios) - 1) / 2) * width for k in range(len(years))]
            heights = [values.get(y) for y in years]
            ax.bar([x for x, h in zip(xs, heights, strict=True) if h is not None], [h for h in heights if h is not None], width * 0.92,
                   color=SCENARIO_COLORS.get(scenario, "#555555"), label=scenario)
            for x, h in zip(xs, heights, strict=True):
                if h is not None:
                    ax.text(x, h + 0.01, f"{h:.0%}", ha="center", va="bottom", fontsize=7)
        ax.set_ylim(0, 1.12)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xticks(range(len(years)), [f"by end of {y}" for y in years])
        ax.grid(axis="x", visible=False)
        ax.set_ylabel("share of simulated paths")
        ax.set_title(title)
        ax.legend(title="scenario", loc="upper left")
        return _png(fig)


# ---------------------------------------------------------------------------------------------
# (f) the deal network with its capital cycles


def cycle_edges(cycles: pl.DataFrame) -> dict[tuple[str, str], int]:
    """(payer, payee) -> number of capital cycles the edge lies on, from the cycles' node lists."""
    counts: dict[tuple[str, str], int] = {}
    for nodes in cycles["nodes"].to_list() if not cycles.is_empty() else []:
        for i, node in enumerate(nodes):
            edge = (node, nodes[(i + 1) % len(nodes)])
            counts[edge] = counts.get(edge, 0) + 1
    return counts


def network_layout(edges: pl.DataFrame, cycles: pl.DataFrame) -> dict[str, tuple[float, float]]:
    """Positions: the company with the most flows (OpenAI) in the centre, the others on a circle,
    first at the top and clockwise. Ring order follows the capital cycles (shortest first), so a
    cycle's companies sit next to each other; companies on no cycle follow, grouped with their
    counterparties. Ties are broken by name: the same tables give the same picture."""
    nodes = sorted(set(edges["payer"].to_list()) | set(edges["payee"].to_list()))
    degree = {n: 0 for n in nodes}
    neighbours: dict[str, set[str]] = {n: set() for n in nodes}
    for payer, payee in edges.select("payer", "payee").iter_rows():
        degree[payer] += 1
        degree[payee] += 1
        neighbours[payer].add(payee)
        neighbours[payee].add(payer)
    hub = min(nodes, key=lambda n: (-degree[n], n))
    ring: list[str] = []
    cycle_rows = [] if cycles.is_empty() else sorted(cycles.select("n_edges", "cycle_id", "nodes").iter_rows())
    for _n, _id, members in cycle_rows:
        ring += [m for m in members if m != hub and m not in ring and m in degree]
    rest = [n for n in nodes if n != hub and n not in ring]
    while rest:  # walk each remaining component from its first name, so partners stay adjacent
        stack = [rest[0]]
        while stack:
            node = stack.pop(0)
            if node in rest:
                rest.remove(node)
                ring.append(node)
                stack += sorted(m for m in neighbours[node] if m in rest)
    pos = {hub: (0.0, 0.0)}
    for i, node in enumerate(ring):
        angle = math.pi / 2 - 2 * math.pi * i / max(len(ring), 1)
        pos[node] = (math.cos(angle), math.sin(angle))
    return pos


def deal_network_chart(edges: pl.DataFrame, cycles: pl.DataFrame) -> bytes:
    """Who pays whom: every company of core.deal_flows on a circle, an arrow per payer -> payee
    (equity, purchase commitments, warrants, backstops), the edges that lie on a capital cycle in
    red, thicker the more cycles share them; edges made only of overlapping or umbrella rows dashed.
    edges: sql/report/deal_edges.sql; cycles: sql/report/capital_cycles.sql."""
    title = "The deal network: who pays whom, capital cycles in red"
    if edges.is_empty():
        return _no_data(title, "no flows in core.deal_flows yet")
    on_cycles = cycle_edges(cycles)
    pos = network_layout(edges, cycles)
    nodes = list(pos)
    cycle_nodes = {n for edge in on_cycles for n in edge}
    node_size = 260.0  # points^2
    shrink = math.sqrt(node_size) / 2 + 2
    with _style():
        fig = Figure(figsize=(10.0, 7.5), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_aspect("equal")
        ax.grid(False)
        for row in edges.iter_rows(named=True):
            edge = (row["payer"], row["payee"])
            k = on_cycles.get(edge, 0)
            color, lw, z = (CYCLE_COLOR, 1.4 + 0.5 * min(k, 5), 2) if k else (EDGE_COLOR, 1.0, 1)
            ax.annotate("", xy=pos[row["payee"]], xytext=pos[row["payer"]], zorder=z,
                        arrowprops={"arrowstyle": "-|>,head_length=0.6,head_width=0.3", "color": color, "lw": lw,
                                    "shrinkA": shrink, "shrinkB": shrink, "connectionstyle": "arc3,rad=0.18",
                                    "linestyle": "-" if row["counted"] else "--"})
        xs, ys = zip(*(pos[n] for n in nodes), strict=True)
        ax.scatter(xs, ys, s=node_size, c=["#fee0d2" if n in cycle_nodes else "#f0f0f0" for n in nodes],
                   edgecolors=[CYCLE_COLOR if n in cycle_nodes else "#777777" for n in nodes], linewidths=1.2, zorder=3)
        for n in nodes:
            x, y = pos[n]
            weight = "bold" if n in cycle_nodes else "normal"
            if x == 0.0 and y == 0.0:  # the hub: label inside a box, above its marker
                ax.text(0, 0.09, n, ha="center", va="bottom", fontsize=9, fontweight=weight, zorder=5,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": CYCLE_COLOR if n in cycle_nodes else "#777777", "lw": 0.8})
                continue
            ax.text(x * 1.12, y * 1.12, n, ha="left" if x > 0.05 else "right" if x < -0.05 else "center",
                    va="bottom" if y > 0.05 else "top" if y < -0.05 else "center", fontsize=8.5, fontweight=weight)
        ax.set_xlim(-1.6, 1.6)
        ax.set_ylim(-1.3, 1.3)
        ax.set_title(title + f" ({cycles.height} cycle(s))" if not cycles.is_empty() else title)
        handles = [
            Line2D([], [], color=CYCLE_COLOR, lw=2.4, label="flow on a capital cycle (thicker: on more cycles)"),
            Line2D([], [], color=EDGE_COLOR, lw=1.0, label="other flow"),
            Line2D([], [], color=EDGE_COLOR, lw=1.0, ls="--", label="only overlapping / umbrella rows (not in totals)"),
        ]
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, -0.02))
        return _png(fig)


# ---------------------------------------------------------------------------------------------
# (g) commitments vs revenue


def commitments_chart(schedule: pl.DataFrame) -> bytes:
    """OpenAI's counted compute commitments per year stacked by counterparty, the overlapping money
    that is never counted as an outlined bar beside them, and the year's reported revenue and stated
    revenue target as markers; commitments that cannot be spread are named in a note.
    schedule: sql/report/commitments_by_year.sql."""
    title = "OpenAI: committed compute spend by year vs revenue (USD bn)"
    if schedule.is_empty():
        return _no_data(title, "no commitments in mart.commitment_schedule yet")
    yearly = schedule.filter(pl.col("calendar_year").is_not_null())
    unscheduled = schedule.filter(pl.col("calendar_year").is_null())
    totals = yearly.group_by("counterparty").agg(pl.col("committed_usd_bn").sum()).sort(["committed_usd_bn", "counterparty"], descending=[True, False])
    counterparties = totals["counterparty"].to_list()
    colors = dict(zip(counterparties, _palette(len(counterparties)), strict=True))
    years = sorted(yearly["calendar_year"].unique().to_list())
    with _style():
        fig = _figure()
        ax = fig.add_subplot()
        width = 0.38
        bottoms = {y: 0.0 for y in years}
        for cp in counterparties:
            rows = yearly.filter(pl.col("counterparty") == cp)
            values = dict(zip(rows["calendar_year"].to_list(), rows["committed_usd_bn"].to_list(), strict=True))
            heights = [values.get(y) or 0.0 for y in years]
            ax.bar([y - width / 2 for y in years], heights, width, bottom=[bottoms[y] for y in years], color=colors[cp], label=cp)
            for y, h in zip(years, heights, strict=True):
                bottoms[y] += h
        overlap = yearly.group_by("calendar_year").agg(pl.col("overlapping_usd_bn").sum())
        overlap_by_year = dict(overlap.iter_rows())
        ax.bar([y + width / 2 for y in years], [overlap_by_year.get(y) or 0.0 for y in years], width, fill=False,
               edgecolor="#636363", hatch="//", label="overlapping deals (shown, never counted)")
        per_year = yearly.group_by("calendar_year").agg(pl.col("revenue_usd_bn").max(), pl.col("revenue_target_usd_bn").max()).sort("calendar_year")
        revenue = per_year.drop_nulls("revenue_usd_bn")
        target = per_year.drop_nulls("revenue_target_usd_bn")
        if revenue.height:
            ax.scatter(revenue["calendar_year"].to_list(), revenue["revenue_usd_bn"].to_list(), marker="D", s=45, color="black", zorder=4, label="reported revenue")
            for y, v in revenue.select("calendar_year", "revenue_usd_bn").iter_rows():
                ax.annotate(f"revenue {v:g}", (y, v), xytext=(-8, 10), textcoords="offset points", fontsize=7.5, ha="right")
        if target.height:
            ax.scatter(target["calendar_year"].to_list(), target["revenue_target_usd_bn"].to_list(), marker="*", s=120, color="#e6550d", zorder=4, label="stated revenue target")
            for y, v in target.select("calendar_year", "revenue_target_usd_bn").iter_rows():
                ax.annotate(f"target {v:g}", (y, v), xytext=(10, 6), textcoords="offset points", fontsize=7.5, color="#e6550d")
        for y in years:
            if bottoms[y]:
                ax.text(y - width / 2, bottoms[y], f"{bottoms[y]:.0f}", ha="center", va="bottom", fontsize=7.5)
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_ylabel("USD bn per year")
        ax.set_title(title)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        if unscheduled.height:
            known = unscheduled.drop_nulls("committed_usd_bn").sort(["committed_usd_bn", "counterparty"], descending=[True, False])
            unknown = unscheduled.filter(pl.col("committed_usd_bn").is_null())["counterparty"].sort().to_list()
            parts = [", ".join(f"{cp} {v:g}" for cp, v in known.select("counterparty", "committed_usd_bn").iter_rows())] if known.height else []
            note = "Not in any year (no period stated): " + ("; ".join(parts) + " bn" if parts else "none")
            if unknown:
                note += f"; amount undisclosed: {', '.join(unknown)}"
            _note(fig, note)
        return _png(fig)


__all__ = [
    "cash_fan_chart",
    "commitments_chart",
    "cost_per_gw_chart",
    "deal_network_chart",
    "outside_money_chart",
    "prices_chart",
    "revenue_mix_chart",
    "DPI",
    "FIGSIZE",
]


def tornado_chart(sensitivity: pl.DataFrame) -> bytes:
    """One-at-a-time sensitivity of the base case's 2030 median outside money: per parameter a bar
    from its value at the parameter's low end to its value at the high end, largest swing on top.
    sensitivity: outcome, parameter, at_value, at_low, at_high, swing (sql/report/sensitivity.sql)."""
    title = "What moves the 2030 median outside money (base case, one parameter at a time)"
    frame = sensitivity.filter(pl.col("outcome") == "outside_money_p50_by_2030") if not sensitivity.is_empty() else sensitivity
    frame = frame.filter(pl.col("swing") > 0) if not frame.is_empty() else frame
    if frame.is_empty():
        return _no_data(title, "no sensitivity rows in sim.sensitivity yet")
    frame = frame.sort("swing")
    with _style():
        fig = _figure()
        ax = fig.add_subplot()
        centre = frame["at_value"][0]
        for i, r in enumerate(frame.iter_rows(named=True)):
            ax.barh(i, r["at_low"] - centre, left=centre, color="#2c7fb8", height=0.7)
            ax.barh(i, r["at_high"] - centre, left=centre, color="#d7301f", height=0.7)
        ax.axvline(centre, color="#222222", linewidth=1)
        ax.set_yticks(range(frame.height), frame["parameter"].to_list(), fontsize=7)
        ax.set_xlabel("median outside money needed by end of 2030, USD bn (blue: parameter at its low end, red: high end)")
        ax.set_title(title)
        return _png(fig)
