"""The one Definitions object that `dagster dev -w workspace.yaml` loads."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from assets.deals import REGISTRY_ASSETS, REGISTRY_CHECKS
from assets.fundamentals import SEC_ASSETS
from assets.market.assets import build_price_ingest
from assets.market.checks import prices_are_current
from assets.market.core_prices import core_prices
from assets.marts.flows import FLOW_MART_ASSETS, FLOW_MART_CHECKS
from assets.marts.registry_marts import REGISTRY_MART_ASSETS, REGISTRY_MART_CHECKS
from assets.report.assets import report_perpetuum
from assets.settings import PROJECT_ROOT, Settings
from assets.simulation.assets import every_counted_deal_is_paid_or_listed, simulation, simulation_comparison

from pipelines.jobs import daily_refresh, full_rebuild, report_job, sec_filings_job, simulation_job
from pipelines.progress import progress_logger
from pipelines.resources import build_resources
from pipelines.schedules import build_daily_refresh_schedule
from pipelines.sensors import build_sensors


MONTH_KEY = "%Y-%m"  # partition keys such as 2026-05


def monthly_partitions(settings: Settings) -> dg.MonthlyPartitionsDefinition:
    """One partition per calendar month (US exchange dates), keyed YYYY-MM, from the month of
    PERPETUUM_START_DATE to the current month (`end_offset=1`: the month in progress is one).
    Monthly, not daily: Dagster records events per partition and asset of a run, which made the
    first load over ~2,500 daily partitions take minutes (docs/BENCHMARKS.md, "Refresh")."""
    return dg.MonthlyPartitionsDefinition(
        start_date=settings.start_date.strftime(MONTH_KEY), timezone="America/New_York", end_offset=1, fmt=MONTH_KEY
    )


# Who answers for the assets; the UI shows it on every asset and can filter by it.
OWNERS = ["team:perpetuum"]
SQL_DIR = PROJECT_ROOT / "sql"
WRITE_STATEMENT = r"^[ \t]*(CREATE OR REPLACE TABLE|INSERT (OR REPLACE )?INTO|MERGE INTO)\s+{table}\b"


def _sql_writers(spec: dg.AssetSpec) -> list[dg.LocalFileCodeReference]:
    """The SQL files (and lines) that write the asset's table (`dagster/table_name`), found by their
    CREATE OR REPLACE TABLE / INSERT INTO / MERGE INTO statement in sql/<schema>/."""
    table_name = spec.metadata.get("dagster/table_name")
    table_name = str(getattr(table_name, "value", table_name) or "")
    schema = table_name.partition(".")[0]
    if not schema or not (SQL_DIR / schema).is_dir():
        return []
    pattern = re.compile(WRITE_STATEMENT.format(table=re.escape(table_name)), re.IGNORECASE | re.MULTILINE)
    references = []
    for path in sorted((SQL_DIR / schema).glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        match = pattern.search(text)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            references.append(dg.LocalFileCodeReference(
                file_path=str(path), line_number=line, label=f"SQL: {path.relative_to(PROJECT_ROOT)}"))
    return references


def _labelled(reference: dg.LocalFileCodeReference | dg.UrlCodeReference):
    """'Python: assets/marts/builder.py' rather than just 'builder.py' in the UI."""
    if isinstance(reference, dg.LocalFileCodeReference) and not reference.label:
        path = Path(reference.file_path)
        shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path.name
        return dg.LocalFileCodeReference(file_path=reference.file_path, line_number=reference.line_number, label=f"Python: {shown}")
    return reference


def _owned_and_referenced(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Owners on every asset; next to the Python reference, the SQL that writes its table."""
    existing = spec.metadata.get("dagster/code_references")
    references = [_labelled(r) for r in (existing.code_references if existing is not None else [])]
    references += _sql_writers(spec)
    metadata = dict(spec.metadata)
    if references:
        metadata["dagster/code_references"] = dg.CodeReferencesMetadataValue(code_references=references)
    return spec.replace_attributes(owners=OWNERS, metadata=metadata)


def with_ownership(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    """Every asset with owners and code references (the Python function that computes it, and the SQL
    file that writes its table): local file paths, so the UI's "open in editor" works offline.
    `dg.link_code_references_to_git` is not applied: it only rewrites these paths into GitHub/GitLab
    URLs, and the project has no hosted remote to point at."""
    with warnings.catch_warnings():  # the code-reference API is beta: say so here, not on every load
        warnings.simplefilter("ignore", dg.BetaWarning)
        return dg.map_asset_specs(_owned_and_referenced, dg.with_source_code_references(assets))


def build_definitions(settings: Settings) -> dg.Definitions:
    months = monthly_partitions(settings)
    return dg.Definitions(
        assets=with_ownership([
            build_price_ingest(months, settings.start_date),
            core_prices,
            *REGISTRY_ASSETS,
            *SEC_ASSETS,
            *REGISTRY_MART_ASSETS,
            *FLOW_MART_ASSETS,
            simulation,
            simulation_comparison,
            report_perpetuum,
        ]),
        asset_checks=[prices_are_current, *REGISTRY_CHECKS, *REGISTRY_MART_CHECKS, *FLOW_MART_CHECKS,
                      every_counted_deal_is_paid_or_listed],
        jobs=[daily_refresh, full_rebuild, sec_filings_job, simulation_job, report_job],
        schedules=[build_daily_refresh_schedule(months)],
        sensors=build_sensors(settings),
        resources=build_resources(settings),
        # Dagster's console logger as by default; `progress` only where a run's config asks for it (make run).
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )


defs = build_definitions(Settings.from_env())
