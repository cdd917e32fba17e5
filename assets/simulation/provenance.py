"""`Notes`: one provenance row per figure the inputs use (shown in `sim.scenario_inputs`), and `cite`."""

from __future__ import annotations

import polars as pl

SCHEMA = {"parameter": pl.String, "value": pl.Float64, "unit": pl.String,
          "source_or_assumption": pl.String, "estimated_from": pl.String}


def cite(row: dict) -> str:
    """`URL (date)`, or the named document when the source has no URL."""
    return f"{row.get('source_url') or 'NO URL: ' + str(row.get('source_document'))} ({row['source_date']})"


class Notes:
    """Provenance rows in the order they are noted."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def add(self, parameter: str, value: float | None, unit: str, source: str, estimated_from: str) -> None:
        self.rows.append((parameter, None if value is None else float(value), unit, source, estimated_from))

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.rows, schema=SCHEMA, orient="row")
