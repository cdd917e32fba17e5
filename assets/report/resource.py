"""Where the HTML report is written."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pydantic import Field

from ..settings import PROJECT_ROOT

DEFAULT_FOLDER = "reports"
REPORT_FILE = "perpetuum.html"


class ReportResource(dg.ConfigurableResource):
    """The folder of the offline HTML report (PERPETUUM_REPORT_DIR; default `reports/` in the repo)."""

    folder: str = Field(
        default=DEFAULT_FOLDER,
        description="Folder the report perpetuum.html is written to (PERPETUUM_REPORT_DIR); relative paths are from the project root.",
    )

    @property
    def path(self) -> Path:
        folder = Path(self.folder).expanduser()
        return folder if folder.is_absolute() else PROJECT_ROOT / folder

    @property
    def report_file(self) -> Path:
        return self.path / REPORT_FILE
