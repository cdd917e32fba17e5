"""The Dagster resource that says where the curated registry lives (and, for tests, what day it is)."""

from datetime import date
from pathlib import Path

import dagster as dg
from pydantic import Field

from ..settings import PROJECT_ROOT

DEFAULT_FOLDER = "data/registry"


class RegistryResource(dg.ConfigurableResource):
    """The folder of the curated registry CSV files (deals, deal_terms, companies, metrics, estimates)."""

    folder: str = Field(
        default=DEFAULT_FOLDER,
        description="Folder holding deals.csv, deal_terms.csv, companies.csv, metrics.csv and estimates.csv; relative paths are from the project root.",
    )
    today: str | None = Field(
        default=None,
        description="ISO date taken as today when checking that no registry date lies in the future (tests); unset = the real date.",
    )

    @property
    def path(self) -> Path:
        folder = Path(self.folder)
        return folder if folder.is_absolute() else PROJECT_ROOT / folder

    def today_date(self) -> date:
        return date.fromisoformat(self.today) if self.today else date.today()
