"""Jobs: what a run materializes."""

from __future__ import annotations

import dagster as dg

# Missing price partitions (chosen by the caller as a partition range) and everything downstream.
daily_refresh = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all(),
    description="Fetch the price partitions of the selected range, then rebuild everything downstream.",
)

# The watched companies' SEC filings and the 8-K deal candidates drawn from them: what
# sec_filings_sensor requests when a watched company files a new 8-K with Item 1.01.
sec_filings_job = dg.define_asset_job(
    "sec_filings_job",
    selection=dg.AssetSelection.assets(dg.AssetKey(["raw", "sec_filings"]), dg.AssetKey(["raw", "deal_candidates"])),
    description="Fetch the watched companies' recent SEC filings, then update the 8-K deal candidates.",
)
