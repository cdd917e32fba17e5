"""Run a pandera.polars model and turn its failures into messages a person can act on."""

from __future__ import annotations

from collections.abc import Callable

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaError, SchemaErrors

MAX_LISTED = 50


class ValidationFailed(ValueError):
    """A batch broke its table's rules; `problems` lists every one, each naming row and column."""

    def __init__(self, what: str, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_LISTED]
        more = f"\n  ... and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        super().__init__(f"{what}: {len(problems)} problem(s), nothing was written:\n  " + "\n  ".join(shown) + more)


def validate(
    model: type[pa.DataFrameModel],
    frame: pl.DataFrame,
    what: str,
    locate: Callable[[dict], str],
) -> pl.DataFrame:
    """Validate `frame` eagerly against `model`; raise ValidationFailed listing every failure.

    `locate(row)` names a failing row for a person, e.g. "AMD 2025-10-06" or "deals.csv:12".
    """
    try:
        return model.validate(frame, lazy=True)
    except SchemaErrors as exc:
        problems = [_describe(case, frame, locate) for case in exc.failure_cases.iter_rows(named=True)]
    except SchemaError as exc:  # raised for whole-frame problems, e.g. a missing column
        problems = [str(exc)]
    raise ValidationFailed(what, sorted(set(problems), key=problems.index))


def _describe(case: dict, frame: pl.DataFrame, locate: Callable[[dict], str]) -> str:
    index = case.get("index")
    where = locate(frame.row(index, named=True)) if index is not None and index < frame.height else "(table)"
    column = case["column"] if case["schema_context"] == "Column" else "(row)"
    return f"{where}: {column}: {case['failure_case']} — {case['check']}"
