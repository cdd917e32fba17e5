"""The charts: valid, deterministic PNGs from real warehouse data; sensible output for empty data;
immune to the user's matplotlib settings; and their markdown embedding for the Dagster UI."""

from __future__ import annotations

import base64
import re
import struct
from datetime import date
from pathlib import Path

import duckdb
import matplotlib as mpl
import polars as pl
import pytest

from assets.report import charts, warehouse_charts
from assets.report.embed import PNG_SIGNATURE, chart_metadata, png_data_uri, png_markdown
from assets.warehouse import apply_ddl, run

WAREHOUSE_CHARTS = [
    "prices_with_registry_announcements", "prices_with_reactions", "revenue_mix", "cost_per_gw",
    "commitments", "deal_network", "cash_fan", "outside_money",
]


def png_size(png: bytes) -> tuple[int, int]:
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


@pytest.fixture(scope="module")
def conn(report_warehouse: Path):
    connection = duckdb.connect(str(report_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.mark.parametrize("name", WAREHOUSE_CHARTS)
def test_chart_from_real_data_is_a_deterministic_png(conn, name):
    draw = getattr(warehouse_charts, name)
    png = draw(conn)
    assert png.startswith(PNG_SIGNATURE)
    assert 20_000 < len(png) < 1_500_000, len(png)
    width, height = png_size(png)
    assert (width, height) in {(1000, 520), (1000, 750)}
    assert b"Software" not in png[:4096]  # no matplotlib version in the file
    assert draw(conn) == png  # same data, same bytes


def test_user_matplotlib_settings_do_not_change_the_bytes(conn):
    before = warehouse_charts.cost_per_gw(conn)
    with mpl.rc_context({"lines.linewidth": 7, "font.size": 20, "axes.facecolor": "black", "figure.dpi": 33}):
        during = warehouse_charts.cost_per_gw(conn)
        assert mpl.rcParams["font.size"] == 20  # drawing restores the caller's settings
    assert during == before


def test_network_highlights_the_cycles_of_the_real_registry(conn):
    cycles = warehouse_charts.query(conn, "report/capital_cycles.sql")
    edges = charts.cycle_edges(cycles)
    # NVIDIA -> OpenAI -> Oracle -> NVIDIA, the article's loop, is on the chart's red edges
    assert {("NVIDIA", "OpenAI"), ("OpenAI", "Oracle"), ("Oracle", "NVIDIA")} <= set(edges)
    layout = charts.network_layout(warehouse_charts.query(conn, "report/deal_edges.sql"), cycles)
    assert layout["OpenAI"] == (0.0, 0.0)  # the company with the most flows sits in the centre


def test_announcement_markers_land_on_the_next_trading_day():
    prices = pl.DataFrame({
        "ticker": ["AMD"] * 3, "company": ["AMD"] * 3,
        "trade_date": [date(2025, 10, 3), date(2025, 10, 6), date(2025, 10, 7)],
        "adj_close": [100.0, 124.0, 124.0],
    })
    events = pl.DataFrame({"ticker": ["AMD"], "event_date": [date(2025, 10, 4)], "deal_ids": [["D1"]]})
    points = charts.event_points(charts.indexed_prices(prices), events)  # a Saturday announcement
    assert points.select("trade_date", "index", "deal_ids").to_dicts() == [
        {"trade_date": date(2025, 10, 6), "index": 124.0, "deal_ids": ["D1"]}
    ]
    assert points["move"][0] == pytest.approx(0.24)


EMPTY = {
    "prices_chart": (pl.DataFrame(schema={"ticker": pl.String, "company": pl.String, "trade_date": pl.Date, "adj_close": pl.Float64}),
                     pl.DataFrame(schema={"ticker": pl.String, "event_date": pl.Date, "deal_ids": pl.List(pl.String)})),
    "revenue_mix_chart": (pl.DataFrame(),),
    "cost_per_gw_chart": (pl.DataFrame(),),
    "cash_fan_chart": (pl.DataFrame(),),
    "outside_money_chart": (pl.DataFrame(),),
    "deal_network_chart": (pl.DataFrame(), pl.DataFrame()),
    "commitments_chart": (pl.DataFrame(),),
}


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_empty_data_draws_a_no_data_chart(name):
    png = getattr(charts, name)(*EMPTY[name])
    assert png.startswith(PNG_SIGNATURE) and png_size(png)[0] == 1000


def test_core_prices_chart_works_on_a_fresh_warehouse():
    """core/prices runs before the registry's core tables and the marts exist: its chart must not fail."""
    conn = duckdb.connect(":memory:")
    apply_ddl(conn)
    run(conn, "core/prices.sql")
    assert warehouse_charts.prices_with_registry_announcements(conn).startswith(PNG_SIGNATURE)


def test_png_markdown_embeds_the_image_as_a_data_uri(conn):
    png = warehouse_charts.outside_money(conn)
    md = png_markdown(png, "sim.outcomes [by year]").value
    match = re.fullmatch(r"!\[([^\]]*)\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", md)
    assert match and match.group(1) == "sim.outcomes  by year"
    assert base64.b64decode(match.group(2)) == png
    with pytest.raises(ValueError, match="not a PNG"):
        png_data_uri(b"<svg/>")


def test_a_failing_chart_is_reported_in_metadata_not_raised():
    def broken(_conn):
        raise RuntimeError("no such table mart.nowhere")

    metadata = chart_metadata(broken, None, "mart.nowhere")
    assert list(metadata) == ["chart_error"]
    assert "no such table mart.nowhere" in metadata["chart_error"].value
