"""Jobs: what a run materializes."""

from __future__ import annotations

import dagster as dg

# Missing price partitions (chosen by the caller as a partition range) and everything downstream.
daily_refresh = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all(),
    description="Fetch the price partitions of the selected range, then rebuild everything downstream.",
)
