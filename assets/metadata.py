"""Dagster metadata built from the project's own definitions: column schemas and previews."""

from __future__ import annotations

import dagster as dg
import pandera.polars as pa
import polars as pl

PREVIEW_ROWS = 10


def column_schema(model: type[pa.DataFrameModel]) -> dg.TableSchema:
    """The UI's column schema, generated from a pandera model (names, types, descriptions)."""
    schema = model.to_schema()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=name,
                type=str(column.dtype),
                description=column.description,
                constraints=dg.TableColumnConstraints(nullable=column.nullable, unique=column.unique),
            )
            for name, column in schema.columns.items()
        ]
    )


def markdown_table(frame: pl.DataFrame, limit: int = PREVIEW_ROWS) -> dg.MarkdownMetadataValue:
    """A markdown preview of the first `limit` rows."""
    head = frame.head(limit)
    lines = ["| " + " | ".join(head.columns) + " |", "|" + " --- |" * len(head.columns)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in head.iter_rows()]
    if frame.height > limit:
        lines.append(f"\n… {frame.height - limit} more rows")
    return dg.MetadataValue.md("\n".join(lines))
