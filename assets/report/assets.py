"""The `report/perpetuum` asset: the offline HTML report, written atomically to the report folder."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import dagster as dg

from ..warehouse import WarehouseResource
from .data import collect
from .embed import png_markdown
from .page import SECTIONS, render
from .resource import ReportResource

# Every table the report's SELECTs (sql/report/) read.
REPORT_DEPS = [
    dg.AssetKey(["core", "prices"]),
    dg.AssetKey(["raw", "deals"]),
    dg.AssetKey(["core", "deal_flows"]),
    dg.AssetKey(["raw", "sec_filings"]),
    dg.AssetKey(["mart", "capital_cycles"]),
    dg.AssetKey(["mart", "deal_reactions"]),
    dg.AssetKey(["mart", "cost_per_gw"]),
    dg.AssetKey(["mart", "commitment_schedule"]),
    dg.AssetKey(["mart", "revenue_mix"]),
    dg.AssetKey(["mart", "warrant_tranches"]),
    dg.AssetKey(["sim", "path_quantiles"]),
    dg.AssetKey(["sim", "outcomes"]),
    dg.AssetKey(["sim", "anchor_comparison"]),
    dg.AssetKey(["sim", "sensitivity"]),
    dg.AssetKey(["sim", "scenario_inputs"]),
]


def write_atomic(path: Path, content: bytes) -> bool:
    """Write `content` to `path` via a temporary file in the same folder and os.replace, so a reader
    never sees half a page and a failed write leaves the previous report. Returns False (and
    leaves the file untouched) when it already holds exactly these bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_bytes() == content:
        return False
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o644)  # mkstemp makes it private; the report is meant to be shared
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True


@dg.asset(
    key=["report", "perpetuum"],
    deps=REPORT_DEPS,
    group_name="report",
    kinds={"python", "html"},
    pool="duckdb",
    # Rebuilt by the automation sensor after the marts and the simulation it shows have changed.
    automation_condition=dg.AutomationCondition.eager(),
    description=(
        "The offline HTML report reports/perpetuum.html (folder: PERPETUUM_REPORT_DIR): one self-contained page "
        "(inline styles, charts as base64 images, no script, nothing loaded from the network) with the deal "
        "network and its capital cycles, announcement reactions, cost per GW, commitments vs revenue, warrant "
        "status, the simulation's outcomes, and data freshness with links to every deal's source. Same data, "
        "same bytes: no generation timestamp, only the data's own dates."
    ),
)
def report_perpetuum(warehouse: WarehouseResource, report: ReportResource) -> dg.MaterializeResult:
    with warehouse.get_connection() as conn:
        data = collect(conn)
    page = render(data).encode("utf-8")
    path = report.report_file
    changed = write_atomic(path, page)
    sections = "\n".join(f"- {title}" for _anchor, title in SECTIONS)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "size_bytes": len(page),
            "sha256": hashlib.sha256(page).hexdigest(),
            "changed": changed,
            "charts": len(data.charts),
            "preview": dg.MetadataValue.md(
                f"**[{path.name}]({path.resolve().as_uri()})** ({len(page) / 1e6:.1f} MB, self-contained: open it in "
                f"any browser, offline; or send the file)\n\nSections:\n{sections}"
            ),
            "chart": png_markdown(data.charts["network"], "report: the deal network"),
        }
    )
