"""Jobs: what a run materializes."""

from __future__ import annotations

import dagster as dg

SIMULATION = dg.AssetSelection.groups("simulation")
# The base case beside the published estimates and its sensitivity: unpartitioned, so they run with
# the report (after every scenario), not in the scenario-partitioned simulation_job.
COMPARISON = dg.AssetSelection.assets(["sim", "anchor_comparison"], ["sim", "sensitivity"])
REPORT = dg.AssetSelection.groups("report")

# Missing price partitions (chosen by the caller as a partition range) and every table derived
# from them, except the simulation: its scenario partitions differ from the daily ones, so it runs
# as its own job, started by its eager automation condition (or by the refresh command).
daily_refresh = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all() - SIMULATION - REPORT,
    description="Fetch the price partitions of the selected range, then rebuild the registry, filings and marts.",
)

# Everything again, from the first price partition to the last, ignoring what is already loaded:
# after a changed source chain or ticker universe, a corrected snapshot, or a deleted warehouse.
# Same assets as daily_refresh (the simulation's scenario partitions cannot share a job with the
# daily ones; it follows through its eager automation condition, or `simulation_job`), but meant
# to be launched over *all* partitions: in the UI, a backfill of every partition, which the price
# ingest's single-run backfill policy turns into one run; from the shell,
# `perpetuum refresh --full`, which runs it over the whole range (a run for the prices,
# one for the tables), then the simulation. See docs/ARCHITECTURE.md, "Operations".
full_rebuild = dg.define_asset_job(
    "full_rebuild",
    selection=dg.AssetSelection.all() - SIMULATION - REPORT,
    description=(
        "Refetch every price partition from PERPETUUM_START_DATE to today and rebuild the registry, filings "
        "and marts. Launch it as a backfill of all partitions (one run: single-run backfill policy), or run "
        "`perpetuum refresh --full`; the simulation follows through its automation condition."
    ),
    tags={"perpetuum/rebuild": "full"},
    config={"ops": {"share_prices_ingest": {"config": {"refetch": True}}}},
)

# The Monte Carlo, one run per scenario partition (base, bull, bear); run config can override
# n_paths, seed, end_month and any scenario parameter.
simulation_job = dg.define_asset_job(
    "simulation_job",
    selection=SIMULATION - COMPARISON,
    description="Run the perpetual-motion simulation for one scenario partition and store the sim.* tables.",
)

# The watched companies' SEC filings and the 8-K deal candidates drawn from them: what
# sec_filings_sensor requests when a watched company files a new 8-K with Item 1.01.
sec_filings_job = dg.define_asset_job(
    "sec_filings_job",
    selection=dg.AssetSelection.assets(dg.AssetKey(["raw", "sec_filings"]), dg.AssetKey(["raw", "deal_candidates"])),
    description="Fetch the watched companies' recent SEC filings, then update the 8-K deal candidates.",
)

# The HTML report reads the marts and the simulation, so it runs after both (the automation
# sensor starts it once they have changed; the refresh command runs it last).
report_job = dg.define_asset_job(
    "report_job",
    selection=REPORT | COMPARISON,
    description="Compare the base case with the published estimates (sim.anchor_comparison, sim.sensitivity), then "
                "write reports/perpetuum.html from the marts and the simulation.",
)
