"""The bad registry edits of tests/deals/test_registry_problems.py, replayed for the reliability record.

The case table (`CASES`: each function breaks a copy of the real registry the way a person could and
returns the exact line the failure must contain) is imported, not copied. Each case is materialized
for real into a copy of a warehouse loaded from the real registry; besides the message and the
per-table hashes it measures rows lost and duplicated (whole rows of every table, before and after).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from tests.deals.registry_testdata import REGISTRY, materialize
from tests.deals.test_registry_problems import CASES
from tests.integration.conftest import table_hashes
from tests.reliability.reliability_testdata import Loss, measure_tables, table_rows


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, ephemeral_instance):
    database = tmp_path_factory.mktemp("registry") / "perpetuum.duckdb"
    materialize(REGISTRY, database, ephemeral_instance)
    return database, table_hashes(database), table_rows(database)


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_bad_registry_edit_fails_and_writes_nothing(case, loaded, tmp_path: Path, ephemeral_instance, record):
    database, hashes, rows = loaded
    registry = Path(shutil.copytree(REGISTRY, tmp_path / "registry"))
    expected = case(registry)
    copy = tmp_path / "perpetuum.duckdb"
    shutil.copyfile(database, copy)

    with pytest.raises(dg.Failure) as failure:
        materialize(registry, copy, ephemeral_instance, only_raw=True)

    message = str(failure.value)
    assert f"  {expected}" in message.splitlines(), message
    assert "nothing was written" in message
    assert table_hashes(copy) == hashes
    loss = measure_tables(rows, table_rows(copy))
    assert loss == Loss(0, 0)
    file = expected.split(":", 1)[0]
    record(case.__name__.replace("_", " "), f"{file}: {case.__name__.replace('_', ' ')}",
           "fails naming file, line and field; the warehouse keeps the last good registry",
           f"`{expected}`; every table's hash unchanged", loss.lost, loss.duplicated)
