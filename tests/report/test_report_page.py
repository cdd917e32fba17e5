"""The HTML page from hand-made data (no warehouse): every value escaped, only http(s) links,
nothing loaded from the network, every section present even without data, same data same bytes."""

from __future__ import annotations

from datetime import date

import polars as pl

from assets.report.charts import revenue_mix_chart
from assets.report.page import CHARTS, SECTIONS, TITLE, ReportData, link, outcomes_by_scenario, render
from tests.report.report_html import parse

HOSTILE = '<script>alert("x")</script>'
EMPTY = pl.DataFrame()


def data(**frames) -> ReportData:
    base = {name: EMPTY for name in ("price_freshness", "registry_freshness", "sec_freshness", "cycles", "reactions",
                                     "cost_per_gw", "commitments", "warrants", "outcomes", "headline", "anchors", "sim_status",
                                     "sources")}
    return ReportData(**{**base, **frames})


def hostile_sources() -> pl.DataFrame:
    return pl.DataFrame({
        "deal_id": ["D1", "D2", "D3"], "announced_on": [date(2025, 10, 6)] * 3,
        "buyer": ["OpenAI", "<b>bold</b>", "A & B"], "seller": ["AMD", "x", "y"], "deal_type": ["warrant"] * 3,
        "amount_usd_bn": [None, 1.5, 2.0], "amount_basis": [None, "exact", "exact"],
        "terms": [HOSTILE, "</td></tr></table><img src=x onerror=alert(1)>", 'say "hi" & \'bye\''],
        "source_publisher": ["AMD (8-K)", '"><script>alert(2)</script>', "Seed"],
        "source_url": ["https://ir.amd.com/x?a=1&b=2", "javascript:alert(3)", None],
        "source_document": [None, None, "seed-article.txt"],
        "source_date": [date(2025, 10, 6)] * 3, "confidence": ["confirmed_press_release"] * 3,
    })


def test_every_value_is_escaped_and_only_http_urls_become_links():
    page = render(data(sources=hostile_sources()))
    parsed = parse(page)
    assert "<script" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "script" not in parsed.tags and parsed.tags.count("img") == 0
    outside = [href for href in parsed.links if not href.startswith("#")]
    assert outside == ["https://ir.amd.com/x?a=1&b=2"]  # escaped in the source, intact when parsed
    assert 'href="https://ir.amd.com/x?a=1&amp;b=2"' in page
    assert "javascript:alert(3)" in page  # shown as text, never as a link
    assert "Seed: seed-article.txt" in page  # a named document when there is no URL


def test_link_refuses_other_schemes():
    assert link("JavaScript:alert(1)", "x") == "x (JavaScript:alert(1))"
    assert link("data:text/html,hi") == "data:text/html,hi"
    assert link("https://example.org/a b") == "https://example.org/a b"  # a space: not a URL we link
    assert link('https://example.org/"><script>') == "https://example.org/&quot;&gt;&lt;script&gt;"
    assert link("http://example.org/", "<i>") == '<a href="http://example.org/" rel="noopener noreferrer">&lt;i&gt;</a>'


def test_an_empty_warehouse_still_gives_every_section():
    parsed = parse(render(data()))
    assert parsed.headings[0] == TITLE
    assert [title for _a, title in SECTIONS] == [h for h in parsed.headings if h in dict(SECTIONS).values()]
    assert parsed.loaded == []


def test_the_page_loads_nothing_and_embeds_its_charts():
    png = revenue_mix_chart(pl.DataFrame())
    page = render(data(charts={key: png for key in CHARTS}))
    parsed = parse(page)
    assert len(parsed.images) == len(CHARTS) and all(image == png for image in parsed.images)
    assert all(url.startswith("data:image/png;base64,") for _tag, url in parsed.loaded)
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:;' in page
    assert not any("url(" in s or "@import" in s for s in parsed.styles)
    assert render(data(charts={key: png for key in CHARTS})) == page


def test_outcomes_are_pivoted_by_scenario_in_bear_base_bull_order():
    outcomes = pl.DataFrame({
        "scenario": ["base", "bull", "bear", "base"],
        "outcome": ["p_outside_money_by", "p_outside_money_by", "p_outside_money_by", "first_stall_month_p50"],
        "month": [date(2027, 12, 1), date(2027, 12, 1), date(2027, 12, 1), date(2027, 3, 1)],
        "value": [0.91335, 0.9897, 0.7568, None],
        "unit": ["probability"] * 3 + ["month"],
    })
    scenarios, rows = outcomes_by_scenario(outcomes)
    assert scenarios == ["bear", "base", "bull"]
    assert rows == [
        ("P(outside money needed) by end of 2027", {"base": "91.3 %", "bull": "99.0 %", "bear": "75.7 %"}),
        ("month the loop first stalls, median", {"base": "2027-03"}),
    ]
