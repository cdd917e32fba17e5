"""Resources built from the validated settings."""

from __future__ import annotations

import dagster as dg

from assets.deals import RegistryResource
from assets.fundamentals import SecResource
from assets.market.resource import PriceSourcesResource
from assets.report.resource import ReportResource
from assets.settings import Settings
from assets.warehouse import WarehouseResource


def build_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    # Secrets go in as EnvVar so the UI shows the variable's name, never its value.
    stooq_key = dg.EnvVar("PERPETUUM_STOOQ_API_KEY") if settings.stooq_api_key else None
    sec_user_agent = dg.EnvVar("PERPETUUM_SEC_USER_AGENT") if settings.sec_user_agent else None
    return {
        "warehouse": WarehouseResource(database=str(settings.warehouse), wait_seconds=settings.warehouse_wait),
        "registry": RegistryResource(),
        "report": ReportResource(folder=str(settings.report_dir)),
        "price_sources": PriceSourcesResource(
            sources=list(settings.price_sources),
            tickers=list(settings.tickers),
            snapshot_dir=str(settings.snapshot_dir),
            yahoo_base_url=settings.yahoo_base_url,
            nasdaq_base_url=settings.nasdaq_base_url,
            stooq_base_url=settings.stooq_base_url,
            stooq_api_key=stooq_key,
        ),
        "sec": SecResource(
            base_url=settings.sec_base_url,
            user_agent=sec_user_agent,
            snapshot_dir=str(settings.snapshot_dir / "sec"),
        ),
    }
