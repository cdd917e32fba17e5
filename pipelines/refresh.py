"""The daily refresh (`make run`, `perpetuum refresh`): fetch the price days that are missing, then rebuild what they changed.

A day is missing when it was never fetched, was fetched for another ticker universe, or lay
beyond the coverage of another source (or of a live source, whose coverage grows daily). The
price assets are partitioned by month: the refresh runs the months holding missing days (one run
per contiguous range of months), and each run fetches only those days. Runs go through the Dagster
instance in DAGSTER_HOME, so they show in the UI like any other run.

`--full` ignores what is loaded: a `full_rebuild` run refetches every day from
PERPETUUM_START_DATE to PERPETUUM_END_DATE, a second one rebuilds every downstream table, then the
simulation runs. A failed run is also written to the run-failure log (`<PERPETUUM_LOG_DIR>/run_failures.log`).

Before anything runs, the warehouse file is checked (assets/warehouse.py): a foreign, damaged,
read-only or busy file ends the refresh at once with one line naming it. Whether it completed or
failed, the refresh ends by saying whether the warehouse is consistent: every derived table built
from what its upstream tables hold now (assets/warehouse_state.py), or which ones are not.
"""

from __future__ import annotations

import os
import sys
from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta
from time import monotonic

import dagster as dg
import polars as pl

from assets.market.coverage import days_to_fetch, every_day
from assets.settings import LIVE_SOURCES, PROJECT_ROOT, Settings
from assets.warehouse import WarehouseError, WarehouseResource, query
from assets.warehouse_state import check_warehouse

from pipelines.definitions import build_definitions
from pipelines.instance_guard import open_instance, release_interrupted_runs
from pipelines.failures import log_failed_runs
from pipelines.progress import with_progress
from pipelines.resources import build_resources
from pipelines.staleness import PRICE_KEYS, plan_full_rebuild, plan_refresh, record_completed_refresh

LOG_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def missing_days(warehouse: WarehouseResource, settings: Settings) -> list[date]:
    """The days of the settings' range the coverage ledger says to fetch (assets/market/coverage.py)."""
    return days_to_fetch(warehouse, settings.start_date, settings.end_date, settings.price_sources, settings.tickers)


def partition_ranges(partitions_def: dg.TimeWindowPartitionsDefinition, days: list[date]) -> list[tuple[str, str, list[date]]]:
    """The partitions holding `days` (sorted), as contiguous ranges of partition keys, each with its
    days: (first key, last key, days). A run per range."""
    keys = partitions_def.get_partition_keys()  # in time order, as are the windows' starts
    starts = sorted(w.start.date() for w in partitions_def.time_windows_for_partition_keys(frozenset(keys), validate=False))
    ranges: list[tuple[int, int, list[date]]] = []
    for day in days:
        index = bisect_right(starts, day) - 1
        if ranges and ranges[-1][1] == index:
            ranges[-1][2].append(day)
        elif ranges and ranges[-1][1] + 1 == index:
            ranges[-1] = (ranges[-1][0], index, [*ranges[-1][2], day])
        else:
            ranges.append((index, index, [day]))
    return [(keys[first], keys[last], in_range) for first, last, in_range in ranges]


def partition_tags(first: str, last: str) -> dict[str, str]:
    """The run tags selecting partitions first..last (one partition: its key)."""
    if first == last:
        return {"dagster/partition": first}
    return {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}


def price_run_config(settings: Settings, refetch: bool) -> dict:
    """Run config of a run that fetches prices: up to PERPETUUM_END_DATE; every day again when `refetch`."""
    fetch = {"through": settings.end_date.isoformat(), "refetch": refetch}
    return {**LOG_CONFIG, "ops": {"share_prices_ingest": {"config": fetch}}}


def refresh(settings: Settings, instance: dg.DagsterInstance, simulate: bool = True, full: bool = False) -> pl.DataFrame:
    """Run the refresh and return the per-ticker summary of core.prices.

    The missing price days are fetched, then the downstream tables that need rebuilding
    (pipelines/staleness.py decides which: those that depend on prices, all of them when the
    registry, SEC data, code or settings changed, none when nothing did; missing days within one
    month share their run with them), then the simulation and the report. `simulate=False` skips the Monte Carlo (tests of the price layer over a few days,
    whose AMD history is too short to estimate the share-price model from). `full=True` ignores
    what is loaded: `full_rebuild` runs over every day of the settings' range and every table."""
    defs = build_definitions(settings)
    for line in release_interrupted_runs(instance):  # a killed run would hold the duckdb pool forever
        print(line)
    warehouse: WarehouseResource = defs.resources["warehouse"]
    if full:
        first, last = settings.start_date, settings.end_date
        days = every_day(first, last)
        rebuild_plan = plan_full_rebuild(defs)
        print(f"full rebuild: refetching every day {first}..{last} ({len(days)} days) via "
              f"{','.join(settings.price_sources)}, ignoring what is loaded, then every downstream table")
        job = defs.resolve_job_def("full_rebuild")
    else:
        job = defs.resolve_job_def("daily_refresh")
        days = missing_days(warehouse, settings)
        rebuild_plan = plan_refresh(defs, instance, job, fetching=bool(days))
        print(rebuild_plan.why)
    runs = run_prices_and_downstream(job, instance, settings, days, rebuild_plan.downstream, refetch=full)
    simulate = simulate and not rebuild_plan.simulation_current
    simulation = defs.resolve_job_def("simulation_job")
    for scenario in simulation.partitions_def.get_partition_keys() if simulate else []:
        print(f"simulation: scenario {scenario}")
        runs.append(simulation.execute_in_process(instance=instance, partition_key=scenario, run_config=LOG_CONFIG))
    report = settings.report_dir / "perpetuum.html"
    if runs or not report.exists():
        print(f"report: {report}")
        runs.append(defs.resolve_job_def("report_job").execute_in_process(instance=instance, run_config=LOG_CONFIG))
        record_completed_refresh(instance, runs[-1].run_id, rebuild_plan, warehouse, simulated=simulate or rebuild_plan.simulation_current)

    with warehouse.get_connection() as conn:
        return query(conn, "core/prices_latest.sql")


def run_prices_and_downstream(
    job: dg.JobDefinition, instance: dg.DagsterInstance, settings: Settings, days: list[date], downstream: list[dg.AssetKey],
    refetch: bool = False,
) -> list[dg.ExecuteInProcessResult]:
    """One run per contiguous range of the (monthly) price partitions holding `days`, then one for
    `downstream`. A run of one partition (the daily case: the current month, one new day) also
    builds `downstream`, saving a run's own overhead; a range run does not, since Dagster records a
    planned event per partition for every asset of a range run, the unpartitioned ones included.
    Each price run fetches, of its partitions, only the days the coverage ledger lists as missing
    (all of them when `refetch`), up to PERPETUUM_END_DATE. Returns the runs."""
    sources = ",".join(settings.price_sources)
    ranges = partition_ranges(job.partitions_def, days)
    together = bool(downstream) and len(ranges) == 1 and ranges[0][0] == ranges[0][1]
    results = []
    for first, last, in_range in ranges:
        started = monotonic()
        partitions = f"partition {first}" if first == last else f"partitions {first}..{last}"
        print(f"prices: fetching {len(in_range)} days {in_range[0]}..{in_range[-1]} ({partitions}) via {sources}"
              + (", with the tables to rebuild in the same run" if together else ""), flush=True)
        selection = [*PRICE_KEYS, *(downstream if together else [])]
        results.append(job.execute_in_process(instance=instance, tags=partition_tags(first, last), asset_selection=selection,
                                              run_config=with_progress(price_run_config(settings, refetch), len(selection))))
        print(f"prices: {partitions} done in {monotonic() - started:.1f} s", flush=True)
    if not ranges:
        print(f"prices: every day {settings.start_date}..{settings.end_date} is already loaded; nothing to fetch")
    if downstream:
        print("rebuilding: " + ", ".join(k.to_user_string() for k in downstream), flush=True)
    if downstream and not together:
        started = monotonic()
        results.append(job.execute_in_process(instance=instance, asset_selection=downstream,
                                              run_config=with_progress(LOG_CONFIG, len(downstream))))
        print(f"rebuilding: done in {monotonic() - started:.1f} s", flush=True)
    return results


def coverage_notes(summary: pl.DataFrame, settings: Settings) -> list[str]:
    """Why tickers of the summary (core/prices_latest.sql) end before PERPETUUM_END_DATE, one line per
    end date and reason: "11 tickers end on 2026-05-29 (AMD, ...): beyond the bundled snapshot ...";
    and the tickers with no rows at all."""
    groups: dict[tuple[date, str], list[str]] = {}
    for row in summary.filter(pl.col("last_trade_date") < settings.end_date - timedelta(days=4)).iter_rows(named=True):
        why = (
            "beyond the bundled snapshot's coverage; set PERPETUUM_PRICE_SOURCE to a live source to fill it"
            if not any(s in LIVE_SOURCES for s in row["sources"].split(","))
            else "the source had no newer bars"
        )
        groups.setdefault((row["last_trade_date"], why), []).append(row["ticker"])
    notes = []
    for (day, why), tickers in sorted(groups.items()):
        tickers.sort()
        who = f"{tickers[0]} ends" if len(tickers) == 1 else f"{len(tickers)} tickers end"
        names = "" if len(tickers) == 1 else f" ({', '.join(tickers)})"
        notes.append(f"{who} on {day}{names}: {why}")
    absent = sorted(set(settings.tickers) - set(summary["ticker"]))
    if absent:
        notes.append("no rows at all for: " + ", ".join(absent))
    return notes


def consistency_line(settings: Settings) -> str:
    """'warehouse <path>: consistent: ...' or which tables were built from other inputs (or why the
    warehouse cannot be read)."""
    defs = build_definitions(settings)
    try:
        state = check_warehouse(defs.resources["warehouse"], defs.resolve_asset_graph())
    except WarehouseError as exc:
        return f"warehouse state unknown: {exc}"
    return f"warehouse {settings.warehouse}: {state.describe()}"


def print_summary(summary: pl.DataFrame, settings: Settings) -> None:
    print(f"\nwarehouse: {settings.warehouse}")
    with pl.Config(tbl_rows=100, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        print(summary)
    for note in coverage_notes(summary, settings):
        print(note)


def _log_failures(instance: dg.DagsterInstance, since: datetime, settings: Settings) -> None:
    try:
        logged = log_failed_runs(instance, since, settings.run_failure_log)
    except OSError as exc:  # the log is a convenience: never hide the run's own error behind it
        print(f"(could not write the run-failure log {settings.run_failure_log}: {exc})", file=sys.stderr)
        return
    if logged:
        print(f"logged to {settings.run_failure_log}:\n  " + "\n  ".join(logged), file=sys.stderr)


def main(full: bool = False) -> None:
    """`make run` and `perpetuum refresh [--full]` (pipelines/cli/): the refresh, its failed runs written
    to the run-failure log with what the failure left in the warehouse, then the summary. Failures
    propagate; the command prints their message."""
    settings = Settings.from_env()
    # First of all, so that a foreign, damaged, read-only or busy file fails in seconds, before the
    # Dagster instance is opened.
    with build_resources(settings)["warehouse"].get_connection():
        pass
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster"))  # as the Makefile does
    instance = open_instance()  # not DagsterInstance.get(): two first runs must not both create its storage
    started = datetime.now(UTC)
    try:
        summary = refresh(settings, instance, full=full)
    except Exception:
        _failed(instance, started, settings)
        raise
    print_summary(summary, settings)
    print(consistency_line(settings))


def _failed(instance: dg.DagsterInstance, started: datetime, settings: Settings) -> None:
    """After a failed run: the run-failure log, then what the failure left in the warehouse."""
    _log_failures(instance, started, settings)
    if not isinstance(sys.exc_info()[1], WarehouseError):
        print(consistency_line(settings), file=sys.stderr)


if __name__ == "__main__":  # `python -m pipelines.refresh [--full]`: the same command as `perpetuum refresh`
    from pipelines.cli import main as perpetuum

    perpetuum(["refresh", *sys.argv[1:]])
