"""PNG charts as Dagster metadata: markdown with the image inline as a base64 data URI, which the
Dagster UI renders in the asset's materialization (no file, no URL, nothing to serve)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

import dagster as dg
import duckdb

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

ChartFn = Callable[[duckdb.DuckDBPyConnection], bytes]


def png_data_uri(png: bytes) -> str:
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG image (bad signature)")
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def png_markdown(png: bytes, alt: str) -> dg.MarkdownMetadataValue:
    """`![alt](data:image/png;base64,...)` as markdown metadata; alt loses the characters that
    would end markdown's image syntax."""
    clean = re.sub(r"[\[\]\(\)\n\r]", " ", alt).strip()
    return dg.MetadataValue.md(f"![{clean}]({png_data_uri(png)})")


def chart_metadata(chart: ChartFn, conn: duckdb.DuckDBPyConnection, alt: str, key: str = "chart") -> dict[str, dg.MetadataValue]:
    """{key: the chart as markdown}, rendered from the warehouse by `chart`.

    A chart is an illustration of a table that has already been written: if drawing it fails, the
    materialization still succeeds (the data is good) and the metadata says why under
    `<key>_error`, with a warning in the run's log, instead of failing the run after its commit."""
    try:
        return {key: png_markdown(chart(conn), alt)}
    except Exception as exc:  # noqa: BLE001 - reported in metadata and the log, never swallowed silently
        message = f"{type(exc).__name__}: {exc}"
        dg.get_dagster_logger().warning(f"chart {alt!r} could not be drawn: {message}")
        return {f"{key}_error": dg.MetadataValue.text(message)}
