"""The bundled snapshot through the real daily refresh: how far it reaches, and a snapshot file
that disagrees with an overlapping one failing the run while the warehouse keeps its last good state."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date

import duckdb
import pytest
from tests.integration.conftest import SNAPSHOT, fetch_one, table_hashes

from pipelines.refresh import refresh

# prices/update/README.md: the ranges of its files (AMD, INTC and CRWV reach 2026-10-08).
LAST_DAYS = {"NVDA": "2026-10-06", "AMZN": "2026-10-06", "AVGO": "2026-10-06", "MSFT": "2026-10-06", "ORCL": "2026-10-06",
             "META": "2026-10-06", "QQQ": "2026-10-06", "AMD": "2026-10-08", "INTC": "2026-10-08", "CRWV": "2026-10-08",
             "SPY": "2026-09-28", "9984.T": "2026-10-09"}  # fmt: skip


def test_raw_share_prices_reach_the_update_s_last_days(make_settings, instance):
    settings = make_settings(start_date="2026-09-21", end_date="2026-10-16")
    refresh(settings, instance, simulate=False)
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        last = dict(conn.execute("SELECT ticker, max(trade_date)::VARCHAR FROM raw.share_prices GROUP BY ticker").fetchall())
        dividends = conn.execute(
            "SELECT ticker, ex_date::VARCHAR, value, source FROM raw.corporate_actions WHERE action = 'dividend' ORDER BY ALL"
        ).fetchall()
    assert last == LAST_DAYS
    assert ("9984.T", "2026-09-29", 5.5, "snapshot (derived)") in dividends
    assert ("AVGO", "2026-09-21", 0.65, "snapshot") in dividends


def test_a_snapshot_file_that_disagrees_with_an_overlapping_one_fails_and_keeps_the_last_good_state(
    make_settings, instance, tmp_path
):
    good = make_settings(start_date="2026-05-25", end_date="2026-06-05", tickers="AMD,NVDA")
    refresh(good, instance, simulate=False)
    before = table_hashes(good.warehouse)

    # A user edits the update's copy of a day the base file also holds: 516.1 -> 517.1.
    folder = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT, folder, ignore=shutil.ignore_patterns("sec", "*.py"))
    path = folder / "update" / "AMD.csv"
    text = path.read_bytes()
    assert b",516.1," in text
    path.write_bytes(text.replace(b",516.1,", b",517.1,", 1))
    edited = dataclasses.replace(make_settings(start_date="2026-05-25", end_date="2026-06-12", tickers="AMD,NVDA"), snapshot_dir=folder)
    # The price step treats every source failure as one a retry may cure, so Dagster retries it
    # (3 times) and then raises DagsterMaxRetriesExceededError, whose text carries the cause.
    with pytest.raises(Exception) as failure:  # noqa: B017, PT011 - dg.Failure, or the retries' error around it
        refresh(edited, instance, simulate=False)
    message = str(failure.value)
    assert "snapshot: AMD: update/AMD.csv disagrees with prices.parquet on 1 value(s)" in message
    assert "2026-05-29 close: 516.1 in prices.parquet, 517.1 in update/AMD.csv" in message
    assert table_hashes(good.warehouse) == before
    assert fetch_one(good.warehouse, "SELECT max(trade_date) FROM raw.share_prices")[0] == date(2026, 6, 5)
