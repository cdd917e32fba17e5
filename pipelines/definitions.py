"""The one Definitions object that `dagster dev -w workspace.yaml` loads."""

from __future__ import annotations

import dagster as dg

from assets.deals import REGISTRY_ASSETS, REGISTRY_CHECKS
from assets.fundamentals import SEC_ASSETS
from assets.market.assets import build_price_ingest
from assets.market.checks import prices_are_current
from assets.market.core_prices import core_prices
from assets.marts.flows import FLOW_MART_ASSETS, FLOW_MART_CHECKS
from assets.marts.registry_marts import REGISTRY_MART_ASSETS, REGISTRY_MART_CHECKS
from assets.settings import Settings
from assets.simulation.assets import simulation

from pipelines.jobs import daily_refresh, sec_filings_job, simulation_job
from pipelines.resources import build_resources
from pipelines.schedules import daily_refresh_schedule
from pipelines.sensors import build_sensors


def daily_partitions(settings: Settings) -> dg.DailyPartitionsDefinition:
    """One partition per calendar day (US exchange date) from PERPETUUM_START_DATE to today."""
    return dg.DailyPartitionsDefinition(
        start_date=settings.start_date.isoformat(), timezone="America/New_York", end_offset=1
    )


def build_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[
            build_price_ingest(daily_partitions(settings)),
            core_prices,
            *REGISTRY_ASSETS,
            *SEC_ASSETS,
            *REGISTRY_MART_ASSETS,
            *FLOW_MART_ASSETS,
            simulation,
        ],
        asset_checks=[prices_are_current, *REGISTRY_CHECKS, *REGISTRY_MART_CHECKS, *FLOW_MART_CHECKS],
        jobs=[daily_refresh, sec_filings_job, simulation_job],
        schedules=[daily_refresh_schedule],
        sensors=build_sensors(settings),
        resources=build_resources(settings),
    )


defs = build_definitions(Settings.from_env())
