"""Run a pandera.polars model and turn its failures into messages a person can act on."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaError, SchemaErrors

MAX_LISTED = 50


class ValidationFailed(ValueError):
    """A batch broke its table's rules; `problems` lists every one, each naming row and column.

    The message shows the first `limit` problems (all of them when `limit` is None).
    """

    def __init__(self, what: str, problems: list[str], limit: int | None = MAX_LISTED):
        self.problems = problems
        shown = problems if limit is None else problems[:limit]
        more = f"\n  ... and {len(problems) - len(shown)} more" if len(shown) < len(problems) else ""
        super().__init__(f"{what}: {len(problems)} problem(s), nothing was written:\n  " + "\n  ".join(shown) + more)


@dataclass(frozen=True)
class Failure:
    """One failed pandera check.

    `row` is the frame's row index (None for a whole-frame failure such as a missing column),
    `column` the failing column (None for a row- or frame-level check), `value` the failing value
    as pandera prints it, `check` pandera's name for the check (or the check's `error` text).
    """

    row: int | None
    column: str | None
    value: str | None
    check: str

    @property
    def rule(self) -> str:
        """The check in words, e.g. 'must be non-negative' for greater_than_or_equal_to(0)."""
        return describe_check(self.check)


def failures(model: type[pa.DataFrameModel], frame: pl.DataFrame) -> list[Failure]:
    """Every failure of `frame` against `model` (eager, lazy=True), or [] if it passes."""
    try:
        model.validate(frame, lazy=True)
    except (SchemaErrors, SchemaError) as exc:
        return _failures_of(exc)
    return []


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
    except (SchemaErrors, SchemaError) as exc:
        problems = [_describe(failure, frame, locate) for failure in _failures_of(exc)]
    raise ValidationFailed(what, sorted(set(problems), key=problems.index))


def _failures_of(exc: SchemaErrors | SchemaError) -> list[Failure]:
    if isinstance(exc, SchemaError):  # raised for whole-frame problems, e.g. a missing column
        return [Failure(None, None, None, str(exc))]
    return [
        Failure(
            row=case.get("index"),
            column=case["column"] if case["schema_context"] == "Column" else None,
            value=case["failure_case"],
            check=case["check"],
        )
        for case in exc.failure_cases.iter_rows(named=True)
    ]


def _describe(failure: Failure, frame: pl.DataFrame, locate: Callable[[dict], str]) -> str:
    index = failure.row
    where = locate(frame.row(index, named=True)) if index is not None and index < frame.height else "(table)"
    if failure.value is None and failure.column is None and index is None:
        return failure.check
    return f"{where}: {failure.column or '(row)'}: {failure.value} — {failure.check}"


_BOUNDS = {
    "greater_than_or_equal_to": (">=", "must be non-negative"),
    "greater_than": (">", "must be positive"),
    "less_than_or_equal_to": ("<=", None),
    "less_than": ("<", None),
}


def describe_check(check: str) -> str:
    """pandera's built-in check names in words; any other check (a custom `error=`) as it is."""
    if check == "not_nullable":
        return "required (the cell is empty)"
    if check in ("field_uniqueness", "multiple_fields_uniqueness"):
        return "must be unique"
    if match := re.fullmatch(r"(\w+)\((.*)\)", check, flags=re.DOTALL):
        name, argument = match.groups()
        if name in _BOUNDS:
            symbol, at_zero = _BOUNDS[name]
            return at_zero if at_zero and argument in ("0", "0.0") else f"must be {symbol} {argument}"
        if name == "isin":
            return "must be one of: " + ", ".join(re.findall(r"'([^']*)'", argument))
        if name == "str_matches":
            return f"must match the pattern {argument}"
    return check
