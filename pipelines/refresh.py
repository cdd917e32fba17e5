"""The daily refresh (`make run`): fetch the price partitions that are missing, then everything downstream.

A partition day is missing when it was never fetched, was fetched for another ticker universe, or
lay beyond the coverage of another source (or of a live source, whose coverage grows daily). Runs
go through the Dagster instance in DAGSTER_HOME, so they show in the UI like any other run.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta

import dagster as dg
import polars as pl

from assets.settings import LIVE_SOURCES, Settings, SettingsError
from assets.warehouse import WarehouseResource, query

from pipelines.definitions import build_definitions

LOG_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def missing_days(warehouse: WarehouseResource, settings: Settings) -> list[date]:
    params = {
        "start": settings.start_date,
        "end": settings.end_date,
        "sources": ",".join(settings.price_sources),
        "tickers": ",".join(sorted(settings.tickers)),
        "live": settings.uses_live_prices,
    }
    with warehouse.get_connection() as conn:
        return query(conn, "raw/partitions_to_fetch.sql", params)["trade_date"].to_list()


def contiguous_ranges(days: list[date]) -> list[tuple[date, date]]:
    """[d1, d2, d3, d7] -> [(d1, d3), (d7, d7)]"""
    ranges: list[tuple[date, date]] = []
    for day in days:
        if ranges and ranges[-1][1] + timedelta(days=1) == day:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def refresh(settings: Settings, instance: dg.DagsterInstance, simulate: bool = True) -> pl.DataFrame:
    """Run the refresh and return the per-ticker summary of core.prices.

    `simulate=False` skips the Monte Carlo (tests of the price layer over a few days, whose AMD
    history is too short to estimate the share-price model from)."""
    defs = build_definitions(settings)
    job = defs.resolve_job_def("daily_refresh")
    warehouse: WarehouseResource = defs.resources["warehouse"]
    price_keys = [dg.AssetKey(["raw", "share_prices"]), dg.AssetKey(["raw", "corporate_actions"])]
    downstream = [k for k in job.asset_layer.executable_asset_keys if k not in price_keys]
    simulation = defs.resolve_job_def("simulation_job")

    ranges = contiguous_ranges(missing_days(warehouse, settings))
    if not ranges:
        print(f"prices: every day {settings.start_date}..{settings.end_date} is already loaded; nothing to fetch")
    for first, last in ranges:
        print(f"prices: fetching {first}..{last} ({(last - first).days + 1} days) via {','.join(settings.price_sources)}")
        tags = {"dagster/asset_partition_range_start": first.isoformat(), "dagster/asset_partition_range_end": last.isoformat()}
        job.execute_in_process(instance=instance, tags=tags, asset_selection=price_keys, run_config=LOG_CONFIG)
    print("rebuilding downstream tables: " + ", ".join(k.to_user_string() for k in downstream))
    job.execute_in_process(instance=instance, asset_selection=downstream, run_config=LOG_CONFIG)
    for scenario in simulation.partitions_def.get_partition_keys() if simulate else []:
        print(f"simulation: scenario {scenario}")
        simulation.execute_in_process(instance=instance, partition_key=scenario, run_config=LOG_CONFIG)

    with warehouse.get_connection() as conn:
        return query(conn, "core/prices_latest.sql")


def print_summary(summary: pl.DataFrame, settings: Settings) -> None:
    print(f"\nwarehouse: {settings.warehouse}")
    with pl.Config(tbl_rows=100, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        print(summary)
    stale = summary.filter(pl.col("last_trade_date") < settings.end_date - timedelta(days=4))
    for row in stale.iter_rows(named=True):
        why = (
            "beyond the bundled snapshot's coverage; set PERPETUUM_PRICE_SOURCE to a live source to fill it"
            if not any(s in LIVE_SOURCES for s in row["sources"].split(","))
            else "the source had no newer bars"
        )
        print(f"skipped after {row['last_trade_date']} for {row['ticker']}: {why}")
    absent = sorted(set(settings.tickers) - set(summary["ticker"]))
    if absent:
        print("no rows at all for: " + ", ".join(absent))


def main() -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    instance = dg.DagsterInstance.get()
    try:
        summary = refresh(settings, instance)
    except dg.Failure as exc:  # bad data: the message lists every problem
        print(f"\nrefresh stopped; the failing step wrote nothing:\n{exc.description}", file=sys.stderr)
        return 1
    except dg.DagsterExecutionStepExecutionError as exc:
        print(f"\nrefresh failed: {exc.user_exception}", file=sys.stderr)
        return 1
    print_summary(summary, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
