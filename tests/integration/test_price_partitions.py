"""Monthly price partitions: a month's run fetches only the days the coverage ledger lists as missing."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
from tests.integration.conftest import fetch_one, table_hashes

from pipelines.definitions import build_definitions
from pipelines.refresh import partition_ranges, price_run_config, refresh
from pipelines.staleness import PRICE_KEYS

SHARE_PRICES = dg.AssetKey(["raw", "share_prices"])
NEW_YORK = ZoneInfo("America/New_York")


def price_metadata(instance: dg.DagsterInstance) -> dict:
    return instance.get_latest_materialization_event(SHARE_PRICES).asset_materialization.metadata


def test_partitions_are_months_from_the_start_dates_month(make_settings):
    job = build_definitions(make_settings(start_date="2025-09-15", end_date="2025-11-03")).resolve_job_def("daily_refresh")
    keys = job.partitions_def.get_partition_keys()
    assert keys[:3] == ["2025-09", "2025-10", "2025-11"]
    days = [date(2025, 9, 30), date(2025, 10, 1), date(2025, 12, 1), date(2025, 12, 2)]
    assert [(first, last, len(d)) for first, last, d in partition_ranges(job.partitions_def, days)] == [
        ("2025-09", "2025-10", 2), ("2025-12", "2025-12", 2)]


def test_a_months_run_fetches_only_its_missing_days(make_settings, instance):
    settings = make_settings(start_date="2025-10-01", end_date="2025-10-10")
    refresh(settings, instance, simulate=False)
    with duckdb.connect(str(settings.warehouse)) as conn:  # as if 2025-10-03 and -06..07 had never been asked
        conn.execute("DELETE FROM raw.share_price_coverage WHERE trade_date IN ('2025-10-03', '2025-10-06', '2025-10-07')")
        conn.execute("UPDATE raw.share_prices SET close = close + 1 WHERE trade_date = DATE '2025-10-08'")  # not asked again
    edited = "SELECT close FROM raw.share_prices WHERE ticker = 'AMD' AND trade_date = DATE '2025-10-08'"
    close = fetch_one(settings.warehouse, edited)
    stamps = fetch_one(settings.warehouse, "SELECT min(fetched_at), count(DISTINCT fetched_at) FROM raw.share_prices")

    job = build_definitions(settings).resolve_job_def("daily_refresh")
    result = job.execute_in_process(instance=instance, partition_key="2025-10", asset_selection=list(PRICE_KEYS),
                                    run_config=price_run_config(settings, refetch=False))
    assert result.success
    metadata = price_metadata(instance)
    assert metadata["ranges_fetched"].value == ["2025-10-03..2025-10-03", "2025-10-06..2025-10-07"]
    assert metadata["days_fetched"].value == 3
    days, complete = fetch_one(settings.warehouse, "SELECT count(*), bool_and(complete) FROM raw.share_price_coverage")
    assert (days, complete) == (10, True)
    # The days asked again brought the same values, so no row was rewritten; 2025-10-08 was not asked.
    assert fetch_one(settings.warehouse, "SELECT min(fetched_at), count(DISTINCT fetched_at) FROM raw.share_prices") == stamps
    assert fetch_one(settings.warehouse, edited) == close


def test_a_complete_month_fetches_nothing_and_changes_nothing(make_settings, instance):
    settings = make_settings(start_date="2025-10-01", end_date="2025-10-10")
    refresh(settings, instance, simulate=False)
    before = table_hashes(settings.warehouse)
    job = build_definitions(settings).resolve_job_def("daily_refresh")
    assert job.execute_in_process(instance=instance, partition_key="2025-10", asset_selection=list(PRICE_KEYS),
                                  run_config=price_run_config(settings, refetch=False)).success
    assert price_metadata(instance)["days_fetched"].value == 0
    assert table_hashes(settings.warehouse) == before


def test_the_schedule_runs_the_current_month_and_on_the_first_the_previous_one_too(make_settings):
    repository = build_definitions(make_settings(start_date="2025-01-01", end_date="2025-10-10")).get_repository_def()
    schedule = repository.get_schedule_def("daily_refresh_after_us_close")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("30 18 * * *", "America/New_York")

    def request(moment: datetime) -> dg.RunRequest:
        with dg.build_schedule_context(scheduled_execution_time=moment, repository_def=repository) as context:
            return schedule.evaluate_tick(context).run_requests[0]

    mid_month = request(datetime(2025, 10, 9, 18, 30, tzinfo=NEW_YORK))
    assert mid_month.partition_key == "2025-10"
    first_of_month = request(datetime(2025, 11, 1, 18, 30, tzinfo=NEW_YORK))
    assert first_of_month.partition_key is None
    assert {k: v for k, v in first_of_month.tags.items() if k.startswith("dagster/asset_partition_range")} == {
        "dagster/asset_partition_range_start": "2025-10", "dagster/asset_partition_range_end": "2025-11"}


def test_the_refresh_prints_each_asset_as_its_run_materializes_it(make_settings, instance, capsys):
    settings = make_settings(start_date="2025-09-29", end_date="2025-10-03", tickers="AMD,NVDA")
    refresh(settings, instance, simulate=False)
    out = capsys.readouterr().out
    assert "prices: fetching 5 days 2025-09-29..2025-10-03 (partitions 2025-09..2025-10) via snapshot" in out
    assert re.search(r"^  raw/share_prices \(1 of 2, \d+\.\d s\)$", out, re.MULTILINE)
    rebuilt = re.findall(r"^  (\S+) \((\d+) of (\d+), \d+\.\d s\)$", out, re.MULTILINE)[2:]  # after the price run's two
    assert "core/prices" in {key for key, _, _ in rebuilt}
    assert [int(n) for _, n, _ in rebuilt] == list(range(1, len(rebuilt) + 1)) and {int(t) for _, _, t in rebuilt} == {len(rebuilt)}
    assert re.search(r"^prices: partitions 2025-09..2025-10 done in \d+\.\d s$", out, re.MULTILINE)
