"""Fixtures of the report tests: one real warehouse per session, built the way `make run` builds it.

`report_warehouse` runs the real refresh (bundled snapshot prices 2025-01-01..2026-05-29, the real
registry, SEC snapshot, marts, and the three simulation scenarios) into a temporary DuckDB file.
`materialize_report` then runs the `report/perpetuum` asset into a folder of the test's choosing
(the refresh does not know the report asset unless pipelines/ wires it in).
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from assets.deals import RegistryResource
from assets.report.assets import report_perpetuum
from assets.report.resource import ReportResource
from assets.settings import Settings
from assets.warehouse import WarehouseResource
from pipelines.refresh import refresh

START_DATE = "2025-01-01"
END_DATE = "2026-05-29"
REGISTRY_TODAY = "2026-11-23"  # the registry's cut-off: no registry date lies after it


@pytest.fixture(scope="session")
def report_instance() -> dg.DagsterInstance:
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


@pytest.fixture(scope="session")
def report_warehouse(tmp_path_factory, report_instance: dg.DagsterInstance) -> Path:
    """The real refresh with the simulation, once per session; the instance keeps its materializations."""
    folder = tmp_path_factory.mktemp("report_warehouse")
    settings = Settings.from_env(
        {"PERPETUUM_WAREHOUSE": str(folder / "perpetuum.duckdb"), "PERPETUUM_START_DATE": START_DATE, "PERPETUUM_END_DATE": END_DATE}
    )
    refresh(settings, report_instance, simulate=True)
    return settings.warehouse


def materialize_report(warehouse: Path, folder: Path, instance: dg.DagsterInstance | None = None,
                       assets: tuple = (), registry: Path | None = None) -> dg.ExecuteInProcessResult:
    """Materialize `assets` (e.g. the registry assets, for a changed registry) and then the report."""
    resources = {
        "warehouse": WarehouseResource(database=str(warehouse)),
        "report": ReportResource(folder=str(folder)),
        "registry": RegistryResource(today=REGISTRY_TODAY, **({"folder": str(registry)} if registry else {})),
    }
    return dg.materialize([*assets, report_perpetuum], resources=resources, instance=instance)
