"""The Dagster resource that turns configuration into the chain of price sources."""


from pathlib import Path

import dagster as dg

from .chain import PriceSource
from .sources.nasdaq import NasdaqSource
from .sources.snapshot import SnapshotSource
from .sources.stooq import StooqSource
from .sources.yahoo import YahooSource


class PriceSourcesResource(dg.ConfigurableResource):
    """Which sources serve prices (in fallback order) for which tickers, and where they live."""

    sources: list[str]
    tickers: list[str]
    snapshot_dir: str
    yahoo_base_url: str
    nasdaq_base_url: str
    stooq_base_url: str
    stooq_api_key: str | None = None

    @property
    def chain_name(self) -> str:
        return ",".join(self.sources)

    def build_chain(self) -> list[PriceSource]:
        builders = {
            "snapshot": lambda: SnapshotSource(Path(self.snapshot_dir)),
            "yahoo": lambda: YahooSource(self.yahoo_base_url),
            "nasdaq": lambda: NasdaqSource(self.nasdaq_base_url),
            "stooq": lambda: StooqSource(self.stooq_base_url, self.stooq_api_key),
        }
        return [builders[name]() for name in self.sources]
