"""Helpers for the registry tests: materialize the registry for real, and edit a copy of its files
the way a person would. Imported as tests.deals.registry_testdata (not from conftest, whose module
name clashes with the other test folders' conftest files)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import dagster as dg

from assets.deals import REGISTRY_ASSETS, REGISTRY_CHECKS, RegistryResource
from assets.deals.assets import registry_files
from assets.settings import PROJECT_ROOT
from assets.warehouse import WarehouseResource

REGISTRY = PROJECT_ROOT / "data" / "registry"
TODAY = date(2026, 11, 23)  # the registry's cut-off


def materialize(folder: Path, database: Path, instance: dg.DagsterInstance, *, only_raw: bool = False, today: date = TODAY):
    """Materialize the registry assets (and their checks) from `folder` into `database`.

    Raises the run's dagster.Failure when the registry is invalid.
    """
    assets = [registry_files] if only_raw else [*REGISTRY_ASSETS, *REGISTRY_CHECKS]
    return dg.materialize(
        assets,
        resources={
            "warehouse": WarehouseResource(database=str(database)),
            "registry": RegistryResource(folder=str(folder), today=today.isoformat()),
        },
        instance=instance,
    )


# --- editing a registry file the way a person would --------------------------------------------


def read_rows(folder: Path, file: str) -> tuple[list[str], list[list[str]]]:
    with open(folder / file, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_rows(folder: Path, file: str, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    (folder / file).write_text(out.getvalue(), encoding="utf-8")


def line_of(folder: Path, file: str, key: str) -> int:
    """File line of the row whose first cell is `key` (no field of the registry spans lines)."""
    _, rows = read_rows(folder, file)
    return next(index for index, row in enumerate(rows) if row[0] == key) + 2


def edit(folder: Path, file: str, key: str, **cells: str) -> int:
    """Set cells of the row whose first column is `key`; return its file line."""
    header, rows = read_rows(folder, file)
    line = line_of(folder, file, key)
    for column, value in cells.items():
        rows[line - 2][header.index(column)] = value
    write_rows(folder, file, header, rows)
    return line


def edit_line(folder: Path, file: str, line: int, **cells: str) -> int:
    """Set cells of the row on file line `line`."""
    header, rows = read_rows(folder, file)
    for column, value in cells.items():
        rows[line - 2][header.index(column)] = value
    write_rows(folder, file, header, rows)
    return line
