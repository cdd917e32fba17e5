"""The daily refresh, materialized for real into a temporary DuckDB file (snapshot and loopback Yahoo)."""

from __future__ import annotations

from datetime import date

import dagster as dg
import polars as pl
import pytest
from tests.integration.conftest import fetch_one, table_hashes

from assets.market.sources.snapshot import SnapshotSource
from pipelines.refresh import missing_days, refresh
from tests.replay.yahoo import YahooReplay


def test_first_refresh_loads_real_snapshot_values(make_settings, instance):
    settings = make_settings(start_date="2025-10-01", end_date="2025-10-10")
    summary = refresh(settings, instance, simulate=False)

    assert sorted(summary["ticker"]) == sorted(settings.tickers)
    close, high, volume, source = fetch_one(
        settings.warehouse,
        "SELECT close, high, volume, source FROM raw.share_prices WHERE ticker = 'AMD' AND trade_date = DATE '2025-10-06'",
    )
    assert (close, high, volume, source) == (203.71, 226.71, 248_859_600, "snapshot")
    # core.prices: returns from the previous trading day (Friday 2025-10-03, close 164.67).
    prev_day, ret = fetch_one(
        settings.warehouse,
        "SELECT prev_trade_date, simple_return FROM core.prices WHERE ticker = 'AMD' AND trade_date = DATE '2025-10-06'",
    )
    assert str(prev_day) == "2025-10-03"
    assert ret == pytest.approx(203.71 / 164.67 - 1, abs=1e-12)
    # Every day of the range, weekends included, is recorded as asked and covered.
    days, complete = fetch_one(settings.warehouse, "SELECT count(*), bool_and(complete) FROM raw.share_price_coverage")
    assert (days, complete) == (10, True)


def test_split_adjusted_nvidia_close(make_settings, instance):
    settings = make_settings(start_date="2024-06-05", end_date="2024-06-11", tickers="NVDA")
    refresh(settings, instance, simulate=False)
    assert fetch_one(settings.warehouse, "SELECT close FROM raw.share_prices WHERE trade_date = DATE '2024-06-07'") == (120.888,)
    split = fetch_one(settings.warehouse, "SELECT action, value FROM raw.corporate_actions WHERE ex_date = DATE '2024-06-10'")
    assert split == ("split", 10.0)


def test_dividend_adjusted_close_uses_the_crsp_factor(make_settings, instance):
    # MSFT went ex-dividend 0.83 on 2025-08-21; the day before, adj_close = close * (1 - 0.83 / close).
    settings = make_settings(start_date="2025-08-18", end_date="2025-08-22", tickers="MSFT")
    refresh(settings, instance, simulate=False)
    close, adj = fetch_one(settings.warehouse, "SELECT close, adj_close FROM core.prices WHERE trade_date = DATE '2025-08-20'")
    assert adj == pytest.approx(close * (1 - 0.83 / close), rel=1e-12)
    close, adj = fetch_one(settings.warehouse, "SELECT close, adj_close FROM core.prices WHERE trade_date = DATE '2025-08-21'")
    assert adj == close


def test_second_run_fetches_nothing_and_changes_nothing(make_settings, instance, capsys):
    settings = make_settings(start_date="2025-09-15", end_date="2025-10-10")
    refresh(settings, instance, simulate=False)
    before = table_hashes(settings.warehouse)
    runs_before = len(instance.get_runs())

    warehouse = settings.warehouse
    from pipelines.resources import build_resources

    assert missing_days(build_resources(settings)["warehouse"], settings) == []
    capsys.readouterr()
    refresh(settings, instance, simulate=False)
    assert table_hashes(warehouse) == before
    # Same prices, same registry, SEC data and code: no run at all.
    assert len(instance.get_runs()) == runs_before
    assert "and so are the prices: no table to rebuild" in capsys.readouterr().out


def test_forced_rerun_of_the_same_partitions_is_idempotent(make_settings, instance):
    settings = make_settings(start_date="2025-10-01", end_date="2025-10-08")
    refresh(settings, instance, simulate=False)
    before = table_hashes(settings.warehouse)
    from pipelines.definitions import build_definitions
    from pipelines.refresh import price_run_config

    job = build_definitions(settings).resolve_job_def("daily_refresh")
    result = job.execute_in_process(instance=instance, partition_key="2025-10", run_config=price_run_config(settings, refetch=True))
    assert result.success
    fetched = instance.get_latest_materialization_event(dg.AssetKey(["raw", "share_prices"])).asset_materialization.metadata
    assert fetched["days_fetched"].value == 8  # every day again, although none was missing
    assert table_hashes(settings.warehouse) == before


def _bad_bar_prices(snapshot_prices: pl.DataFrame) -> pl.DataFrame:
    """Real AMD/NVDA October 2025 bars, with AMD's 2025-10-07 high set below its low."""
    rows = snapshot_prices.filter(
        pl.col("ticker").is_in(["AMD", "NVDA"]), pl.col("trade_date").is_between(pl.date(2025, 10, 1), pl.date(2025, 10, 10))
    )
    broken = (pl.col("ticker") == "AMD") & (pl.col("trade_date") == pl.date(2025, 10, 7))
    return rows.with_columns(pl.when(broken).then(pl.col("low") - 1).otherwise(pl.col("high")).alias("high"))


def test_failing_batch_writes_nothing_and_names_ticker_date_column_rule(make_settings, instance, snapshot_prices):
    good = make_settings(start_date="2025-10-01", end_date="2025-10-03", tickers="AMD,NVDA")
    refresh(good, instance, simulate=False)
    before = table_hashes(good.warehouse)

    with YahooReplay(_bad_bar_prices(snapshot_prices)) as base_url:
        live = make_settings(
            start_date="2025-10-01", end_date="2025-10-10", tickers="AMD,NVDA", price_source="yahoo", yahoo_base_url=base_url
        )
        with pytest.raises(dg.Failure) as failure:
            refresh(live, instance, simulate=False)
    message = str(failure.value)
    assert "yahoo AMD 2025-10-07: (row)" in message and "high >= max(open, close, low)" in message
    assert "nothing was written" in message
    assert table_hashes(good.warehouse) == before


def test_switching_to_a_live_source_fills_days_beyond_the_snapshot(make_settings, instance):
    snapshot = make_settings(start_date="2026-09-30", end_date="2026-10-13", tickers="MSFT,NVDA")
    refresh(snapshot, instance, simulate=False)
    assert fetch_one(snapshot.warehouse, "SELECT max(trade_date) FROM raw.share_prices")[0].isoformat() == "2026-10-06"
    beyond = fetch_one(snapshot.warehouse, "SELECT count(*) FROM raw.share_price_coverage WHERE NOT complete")[0]
    assert beyond == 7  # 2026-10-07 .. 2026-10-13

    # A live source that knows the following week (real days after 2026-10-06 are not in the
    # snapshot, so the replay serves the last real week shifted by 7 days, marked here as synthetic).
    week = pl.concat(
        SnapshotSource(snapshot.snapshot_dir).fetch(t, date(2026, 9, 30), date(2026, 10, 6)).prices for t in ("MSFT", "NVDA")
    ).select("ticker", "trade_date", "open", "high", "low", "close", "volume", "currency")
    shifted = week.with_columns(pl.col("trade_date") + pl.duration(days=7))
    with YahooReplay(pl.concat([week, shifted])) as base_url:
        live = make_settings(
            start_date="2026-09-30", end_date="2026-10-13", tickers="MSFT,NVDA", price_source="yahoo", yahoo_base_url=base_url
        )
        assert [d.isoformat() for d in missing_days_for(live)] == [f"2026-10-{d:02d}" for d in range(7, 14)]
        refresh(live, instance, simulate=False)
    rows = fetch_one(live.warehouse, "SELECT count(*) FILTER (source = 'yahoo'), count(*) FILTER (source = 'snapshot') FROM raw.share_prices")
    assert rows == (10, 10)  # 5 new days x 2 tickers from yahoo; the snapshot's week untouched


def missing_days_for(settings):
    from pipelines.resources import build_resources

    return missing_days(build_resources(settings)["warehouse"], settings)


def test_duckdb_cli_reads_the_warehouse_read_only(make_settings, instance):
    import os
    import subprocess
    import sys

    settings = make_settings(start_date="2025-10-03", end_date="2025-10-06", tickers="AMD")
    refresh(settings, instance, simulate=False)
    cli = os.path.join(os.path.dirname(sys.executable), "duckdb")
    done = subprocess.run(
        [cli, "-readonly", "-csv", str(settings.warehouse), "-c",
         "SELECT trade_date, close FROM core.prices WHERE ticker = 'AMD' ORDER BY trade_date"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["trade_date,close", "2025-10-03,164.67", "2025-10-06,203.71"]


def test_per_ticker_metadata_only_on_one_partition_runs(make_settings, instance):
    """A range run's metadata is copied to each of its partitions: per-ticker tables only for one partition."""
    share_prices = dg.AssetKey(["raw", "share_prices"])
    refresh(make_settings(start_date="2025-09-29", end_date="2025-10-08"), instance, simulate=False)  # 2025-09..2025-10
    ranged = instance.get_latest_materialization_event(share_prices).asset_materialization.metadata
    assert "per_ticker" not in ranged and "covered_until" not in ranged
    assert ranged["tickers_per_source"].value == {"snapshot": 12}
    assert ranged["covered_until_where_short"].value == {}
    refresh(make_settings(start_date="2025-09-29", end_date="2025-10-09"), instance, simulate=False)  # 2025-10 only
    one_month = instance.get_latest_materialization_event(share_prices).asset_materialization.metadata
    assert set(one_month["sources"].value) == set(one_month["covered_until"].value) and len(one_month["sources"].value) == 12
    assert "| NVDA |" in one_month["per_ticker"].value
    assert one_month["ranges_fetched"].value == ["2025-10-09..2025-10-09"]
