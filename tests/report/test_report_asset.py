"""The report/perpetuum asset on a real warehouse (the refresh with the simulation), and the charts
the refresh's assets carry in their materialization metadata."""

from __future__ import annotations

import base64
import csv
import re
import shutil
from pathlib import Path

import dagster as dg
import pytest

from assets.deals import REGISTRY_ASSETS
from assets.report.embed import PNG_SIGNATURE
from assets.report.page import SECTIONS, TITLE
from assets.settings import PROJECT_ROOT, Settings
from tests.report.conftest import materialize_report
from tests.report.report_html import parse

REPORT = dg.AssetKey(["report", "perpetuum"])
CHARTED = ["core/prices", "mart/revenue_mix", "mart/cost_per_gw", "mart/commitment_schedule", "mart/capital_cycles",
           "mart/deal_reactions", "sim/path_quantiles", "sim/outcomes"]


@pytest.fixture(scope="module")
def report(report_warehouse: Path, report_instance: dg.DagsterInstance, tmp_path_factory) -> tuple[Path, dg.ExecuteInProcessResult]:
    folder = tmp_path_factory.mktemp("reports")
    result = materialize_report(report_warehouse, folder, report_instance)
    assert result.success
    return folder / "perpetuum.html", result


@pytest.fixture(scope="module")
def page(report) -> str:
    return report[0].read_text(encoding="utf-8")


def test_every_section_heading_is_there(page):
    headings = parse(page).headings
    assert headings[0] == TITLE
    for _anchor, title in SECTIONS:
        assert title in headings
    assert "Data as of" in headings


def test_charts_are_inline_pngs(page):
    images = parse(page).images
    assert len(images) >= 6
    assert all(image.startswith(PNG_SIGNATURE) and len(image) > 20_000 for image in images)


def test_nothing_is_loaded_from_the_network(page):
    parsed = parse(page)
    assert parsed.loaded and all(url.startswith("data:image/png;base64,") for _tag, url in parsed.loaded)
    assert not re.search(r'src="https?:', page, re.IGNORECASE)
    assert not re.search(r'<link\b|<script\b|@import|url\(', page, re.IGNORECASE)
    # links to the sources are fine: plain <a> links, one per deal with a URL
    outside = [href for href in parsed.links if not href.startswith("#")]
    assert len(outside) >= 30 and all(href.startswith(("https://", "http://")) for href in outside)


def test_the_real_data_is_in_the_page(page):
    assert "NVIDIA -&gt; OpenAI -&gt; Oracle -&gt; NVIDIA" in page  # the article's capital cycle
    assert "ORCL-OAI-2025-09-300B" in page and "+35.9 %" in page  # Oracle's day-0 reaction
    assert "2026-05-29" in page and "snapshot" in page  # data as of, and which source served it
    assert "tranche_6" in page and "600.00" in page  # AMD's last warrant threshold


def test_metadata_names_the_file(report):
    path, result = report
    metadata = result.asset_materializations_for_node("report__perpetuum")[0].metadata
    assert metadata["path"].value == str(path)
    assert metadata["size_bytes"].value == path.stat().st_size
    assert path.name in metadata["preview"].value and path.resolve().as_uri() in metadata["preview"].value
    assert metadata["chart"].value.startswith("![report: the deal network](data:image/png;base64,")


def test_a_rerun_gives_identical_bytes(report, report_warehouse, report_instance):
    path, first = report
    before = path.read_bytes()
    again = materialize_report(report_warehouse, path.parent, report_instance)
    metadata = again.asset_materializations_for_node("report__perpetuum")[0].metadata
    assert path.read_bytes() == before
    assert metadata["changed"].value is False
    assert metadata["sha256"].value == first.asset_materializations_for_node("report__perpetuum")[0].metadata["sha256"].value
    assert [p.name for p in path.parent.iterdir()] == ["perpetuum.html"]  # no temporary file left behind


def test_a_hostile_registry_value_is_escaped(report_warehouse, tmp_path):
    registry = tmp_path / "registry"
    shutil.copytree(PROJECT_ROOT / "data" / "registry", registry)
    deals = registry / "deals.csv"
    with deals.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[0]["terms"] = '<script>alert("pwned")</script> & <img src=x onerror=alert(1)>'
    rows[0]["source_publisher"] = '"><iframe src="https://evil.example/"></iframe>'
    with deals.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    warehouse = tmp_path / "perpetuum.duckdb"
    shutil.copyfile(report_warehouse, warehouse)

    result = materialize_report(warehouse, tmp_path / "out", assets=tuple(REGISTRY_ASSETS), registry=registry)
    assert result.success
    page = (tmp_path / "out" / "perpetuum.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in page
    assert "&quot;&gt;&lt;iframe src=&quot;https://evil.example/&quot;&gt;&lt;/iframe&gt;" in page
    parsed = parse(page)
    assert "script" not in parsed.tags and "iframe" not in parsed.tags
    assert all(url.startswith("data:image/png;base64,") for _tag, url in parsed.loaded)


def test_the_refreshed_assets_carry_their_charts(report_warehouse, report_instance):
    for key in CHARTED:
        event = report_instance.get_latest_materialization_event(dg.AssetKey(key.split("/")))
        assert event is not None, key
        metadata = event.asset_materialization.metadata
        assert "chart_error" not in metadata, (key, metadata.get("chart_error"))
        match = re.fullmatch(r"!\[[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", metadata["chart"].value)
        assert match, key
        assert base64.b64decode(match.group(1)).startswith(PNG_SIGNATURE), key


def test_the_report_folder_comes_from_perpetuum_report_dir(tmp_path):
    assert Settings.from_env({}).report_dir == PROJECT_ROOT / "reports"
    assert Settings.from_env({"PERPETUUM_REPORT_DIR": str(tmp_path)}).report_dir == tmp_path
    assert Settings.from_env({"PERPETUUM_REPORT_DIR": "out/r"}).report_dir == PROJECT_ROOT / "out" / "r"
