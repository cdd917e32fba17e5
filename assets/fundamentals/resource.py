"""The Dagster resource that turns configuration into an SEC source and the list of watched companies."""

from pathlib import Path

import dagster as dg
from pydantic import Field

from assets.sec import DEFAULT_SNAPSHOT_DIR, SecClient, SecSource, SnapshotSec
from assets.sec.client import DEFAULT_BASE_URL, SEC_MAX_RPS

from .companies import COMPANIES_FILE, WatchedCompany, watched_companies
from .reviews import REVIEWS_FILE


class SecResource(dg.ConfigurableResource):
    """SEC EDGAR: live data.sec.gov when a User-Agent is configured, else the bundled snapshot.

    The User-Agent holds the operator's e-mail: pass it as `dg.EnvVar("PERPETUUM_SEC_USER_AGENT")`
    so the UI shows the variable's name only. Nothing in this package logs it or puts it in
    metadata; `SecClient` keeps it out of its errors and its repr.
    """

    base_url: str = Field(default=DEFAULT_BASE_URL, description="SEC API base URL (mirrors, proxies, tests).")
    user_agent: str | None = Field(
        default=None,
        repr=False,  # holds an e-mail
        description="'Name contact@example.com' for the SEC's fair-access rules; unset = offline snapshot. From PERPETUUM_SEC_USER_AGENT.",
    )
    snapshot_dir: str = Field(default=str(DEFAULT_SNAPSHOT_DIR), description="Folder of the bundled SEC responses (manifest.csv).")
    companies_file: str = Field(default=str(COMPANIES_FILE), description="companies.csv: listed parties with a sec_cik are watched.")
    tickers: list[str] | None = Field(default=None, description="Watch only these tickers of companies.csv (default: all with a CIK).")
    reviews_file: str = Field(default=str(REVIEWS_FILE), description="candidate_reviews.csv: a person's status per deal candidate.")
    max_rps: float = Field(default=SEC_MAX_RPS, description="Requests per second to the SEC (at most 10).")

    @property
    def live(self) -> bool:
        return bool(self.user_agent)

    @property
    def mode(self) -> str:
        """For logs and metadata: never contains the User-Agent."""
        return f"live SEC EDGAR at {self.base_url}" if self.live else f"offline snapshot {Path(self.snapshot_dir).name}/"

    def source(self) -> SecSource:
        """A live `SecClient` (≤ max_rps requests/second) or the offline `SnapshotSec`."""
        if self.live:
            return SecClient(self.base_url, user_agent=self.user_agent, max_rps=self.max_rps)
        return SnapshotSec(Path(self.snapshot_dir))

    def watched(self) -> list[WatchedCompany]:
        """Every listed company in companies.csv with a sec_cik (or only `tickers`)."""
        return watched_companies(Path(self.companies_file), self.tickers)
