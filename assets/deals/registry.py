"""Read the registry's CSV files strictly, keeping the file line of every row (no Dagster here).

Reading never stops at the first mistake: every problem becomes a `Problem` naming the file, the
line (the header is line 1) and the column, so a person can fix them all in one go, e.g.

    deals.csv:12: amount_usd_bn: -5 — must be non-negative

A file is read as UTF-8 (a byte-order mark, as Excel writes it, is fine; CRLF line ends too).
Cells are trimmed of surrounding spaces; an empty cell is null; blank lines are skipped. The
header must name exactly the model's columns (in any order). Each cell is then converted to its
column's type: numbers are plain digits with '.' for decimals (no units, no thousands
separators), dates are YYYY-MM-DD, booleans true/false. A date column that may be written at the
precision its source has (deals.csv `announced_on`: `2025-09-22`, `2025-09` or `2025-Q3`) becomes
the first day of that period; `written_precision` tells which form a cell uses.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandera.polars as pa
import polars as pl

from .schemas import Companies, Deals, DealTerms, OpenAIMetrics, ReferenceEstimates

EMPTY = "(empty)"
NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# precision -> how a date of that precision is written (first day of the period when typed)
DATE_FORMS = {"day": ISO_DATE, "month": re.compile(r"^\d{4}-\d{2}$"), "quarter": re.compile(r"^\d{4}-Q[1-4]$")}
SHOWN_MAX = 60


@dataclass(frozen=True)
class RegistryFile:
    """One file of the registry and the raw table it becomes."""

    table: str
    file: str
    model: type[pa.DataFrameModel]
    period_dates: tuple[str, ...] = ()  # date columns that may be written as YYYY-MM or YYYY-Qn

    @property
    def columns(self) -> list[str]:
        """The file's columns in the model's order (everything but loaded_from)."""
        return [name for name in self.model.to_schema().columns if name != "loaded_from"]


FILES = (
    RegistryFile("deals", "deals.csv", Deals, period_dates=("announced_on",)),
    RegistryFile("deal_terms", "deal_terms.csv", DealTerms),
    RegistryFile("companies", "companies.csv", Companies),
    RegistryFile("openai_metrics", "metrics.csv", OpenAIMetrics),
    RegistryFile("reference_estimates", "estimates.csv", ReferenceEstimates),
)
FILE_ORDER = {spec.file: position for position, spec in enumerate(FILES)}


def shown(text: str | None) -> str:
    """A cell as a message shows it: numbers bare, other text in single quotes, long text shortened."""
    if text is None or text == "":
        return EMPTY
    if NUMBER.match(text):
        return text
    if len(text) > SHOWN_MAX:
        text = text[: SHOWN_MAX - 1] + "…"
    return f"'{text}'"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the registry: file, line (1 = header), column, the value and the rule."""

    file: str
    line: int
    column: str
    value: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.value} — {self.rule}"


@dataclass
class Table:
    """A registry file read and typed: the frame (model columns, in file order) and where each row came from.

    `text[i]` holds row i's cells as written, `lines[i]` its file line. `frame` is None when the
    file could not be read far enough to check its rows (missing file or columns, broken header);
    `complete` is False when some line could not be read as a row, so references into the file
    are not checked (an unreadable row would look like an unknown company or deal).
    """

    spec: RegistryFile
    sha256: str
    frame: pl.DataFrame | None = None
    lines: list[int] = field(default_factory=list)
    text: list[dict[str, str | None]] = field(default_factory=list)
    complete: bool = True

    @property
    def file(self) -> str:
        return self.spec.file

    def problem(self, row: int, column: str, rule: str, value: str | None = None) -> Problem:
        """A problem at row `row` (frame index) and `column`; the value shown is the cell as written."""
        return Problem(self.file, self.lines[row], column, value if value is not None else shown(self.text[row].get(column)), rule)

    def rows(self) -> Iterator[tuple[int, dict]]:
        """(frame index, typed row) for every row."""
        if self.frame is not None:
            yield from enumerate(self.frame.iter_rows(named=True))


def read_registry(folder: Path) -> tuple[dict[str, Table], list[Problem]]:
    """Read and type every file of the registry; return the tables (by raw table name) and all problems."""
    tables, problems = {}, []
    for spec in FILES:
        table, found = read_table(folder / spec.file, spec)
        tables[spec.table] = table
        problems += found
    return tables, problems


def read_table(path: Path, spec: RegistryFile) -> tuple[Table, list[Problem]]:
    """Read one file strictly and convert its cells to the model's types."""
    name = spec.file
    if not path.is_file():
        return Table(spec, sha256=""), [Problem(name, 1, "(file)", "(missing)", f"the registry needs {name} in {path.parent}")]
    data = path.read_bytes()
    table = Table(spec, sha256=hashlib.sha256(data).hexdigest())
    records, problems = _records(data, name)
    table.complete = not problems
    if not records:
        header = ",".join(spec.columns)
        problems.append(Problem(name, 1, "(file)", EMPTY, f"the file is empty; its first line must be the header: {header}"))
        return table, problems
    (_, header), body = records[0], records[1:]
    positions, header_problems = _check_header(header, spec, name)
    problems += header_problems
    if any(p.value != "(extra column)" for p in header_problems):
        return table, problems  # the rows cannot be read against a broken header
    if not body:
        problems.append(Problem(name, 1, "(file)", "header only", "add at least one row below the header"))
        return table, problems
    for line, cells in body:
        if len(cells) != len(header):
            table.complete = False
            problems.append(
                Problem(name, line, "(row)", f"{len(cells)} fields", f"the header has {len(header)}; put a field that contains a comma in double quotes")
            )
            continue
        table.lines.append(line)
        table.text.append({column: cells[position] or None for column, position in positions.items()})
    problems += _undecodable(table)
    table.frame, type_problems = _typed(table)
    return table, problems + type_problems


def _records(data: bytes, name: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """Non-blank CSV records with the file line each starts on; unparseable lines as problems.

    Bytes that are not UTF-8 are kept as surrogate escapes, reported per cell by _undecodable.
    """
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, problems = [], []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(name, start, "(row)", "(cannot be read)", f"{exc}; check the double quotes on this line"))
            if reader.line_num < start:  # nothing consumed: stop rather than loop
                break
            continue
        cells = [cell.strip() for cell in cells]
        if any(cells):
            records.append((start, cells))
    return records, problems


def _check_header(header: list[str], spec: RegistryFile, name: str) -> tuple[dict[str, int], list[Problem]]:
    """Column -> position in the file; problems for missing, unknown and repeated columns."""
    problems, positions = [], {}
    for position, column in enumerate(header):
        column = _readable(column)
        if column in positions:
            problems.append(Problem(name, 1, column or "(unnamed)", "(repeated column)", "each column may appear only once in the header"))
        elif column in spec.columns:
            positions[column] = position
        else:
            problems.append(
                Problem(name, 1, column or "(unnamed)", "(extra column)", f"not a column of {name}; remove it (see data/registry/README.md)")
            )
    for column in spec.columns:
        if column not in positions:
            problems.append(Problem(name, 1, column, "(missing)", f"required column; the header must be: {','.join(spec.columns)}"))
    return positions, problems


def _readable(text: str) -> str:
    """Undecodable bytes shown as \\xNN."""
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")


def _undecodable(table: Table) -> list[Problem]:
    """One problem per cell holding bytes that are not UTF-8; the cell keeps a readable \\xNN form."""
    problems = []
    for row, cells in enumerate(table.text):
        for column, value in cells.items():
            if value is not None and value != (readable := _readable(value)):
                cells[column] = readable
                byte = re.search(r"\\x([0-9a-f]{2})", readable).group(1)
                problems.append(table.problem(row, column, f"not UTF-8 (byte 0x{byte}); save the file as UTF-8 (Excel: 'CSV UTF-8')"))
    return problems


def _typed(table: Table) -> tuple[pl.DataFrame, list[Problem]]:
    """The model's columns typed from the text; a cell that does not convert is null plus a problem."""
    schema = table.spec.model.to_schema()
    problems, columns = [], {}
    for column in table.spec.columns:
        dtype = schema.columns[column].dtype.type
        convert = _PERIOD_START if column in table.spec.period_dates else next(
            (c for kind, c in _CONVERTERS.items() if dtype == kind), _CONVERTERS[pl.String]
        )
        values = []
        for row, cells in enumerate(table.text):
            text = cells[column]
            try:
                values.append(None if text is None else convert[0](text))
            except ValueError:
                values.append(None)
                problems.append(table.problem(row, column, convert[1]))
        columns[column] = pl.Series(column, values, dtype=dtype)
    columns["loaded_from"] = pl.Series("loaded_from", [f"{table.file}:{line}" for line in table.lines], dtype=pl.String)
    return pl.DataFrame(columns), problems


def _number(text: str) -> float:
    if not NUMBER.match(text):
        raise ValueError(text)
    return float(text)


def _date(text: str) -> date:
    if not ISO_DATE.match(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def written_precision(text: str | None) -> str | None:
    """day, month or quarter: the precision a date cell is written with (None if it is none of them)."""
    return next((precision for precision, form in DATE_FORMS.items() if text and form.match(text)), None)


def _period_start(text: str) -> date:
    """The first day of the day, month (YYYY-MM) or quarter (YYYY-Qn) written in `text`."""
    precision = written_precision(text)
    if precision == "day":
        return _date(text)
    if precision == "month":
        return date(int(text[:4]), int(text[5:]), 1)
    if precision == "quarter":
        return date(int(text[:4]), 3 * int(text[-1]) - 2, 1)
    raise ValueError(text)


def _boolean(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError(text)
    return text.lower() == "true"


_CONVERTERS = {
    pl.String: (str, ""),
    pl.Float64: (_number, "must be a number (digits with '.' for decimals; no units, no thousands separators)"),
    pl.Date: (_date, "must be a date YYYY-MM-DD"),
    pl.Boolean: (_boolean, "must be true or false"),
}
_PERIOD_START = (_period_start, "must be a date YYYY-MM-DD, a month YYYY-MM or a quarter YYYY-Q1..YYYY-Q4")
