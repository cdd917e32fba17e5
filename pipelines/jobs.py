"""Jobs: what a run materializes."""

from __future__ import annotations

import dagster as dg

SIMULATION = dg.AssetSelection.groups("simulation")

# Missing price partitions (chosen by the caller as a partition range) and every table derived
# from them, except the simulation: its scenario partitions differ from the daily ones, so it runs
# as its own job, started by its eager automation condition (or by the refresh command).
daily_refresh = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all() - SIMULATION,
    description="Fetch the price partitions of the selected range, then rebuild the registry, filings and marts.",
)

# The Monte Carlo, one run per scenario partition (base, bull, bear); run config can override
# n_paths, seed, end_month and any scenario parameter.
simulation_job = dg.define_asset_job(
    "simulation_job",
    selection=SIMULATION,
    description="Run the perpetual-motion simulation for one scenario partition and store the sim.* tables.",
)

# The watched companies' SEC filings and the 8-K deal candidates drawn from them: what
# sec_filings_sensor requests when a watched company files a new 8-K with Item 1.01.
sec_filings_job = dg.define_asset_job(
    "sec_filings_job",
    selection=dg.AssetSelection.assets(dg.AssetKey(["raw", "sec_filings"]), dg.AssetKey(["raw", "deal_candidates"])),
    description="Fetch the watched companies' recent SEC filings, then update the 8-K deal candidates.",
)
