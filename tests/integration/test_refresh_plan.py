"""What the refresh rebuilds after a completed refresh (pipelines/staleness.py), on real runs."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest
from tests.integration.conftest import fetch_one

import pipelines.definitions
from assets.deals import RegistryResource
from assets.settings import PROJECT_ROOT
from pipelines.refresh import refresh
from pipelines.staleness import PRICE_KEYS

REGISTRY_TABLE = dg.AssetKey(["raw", "deals"])
PRICE_TABLE = dg.AssetKey(["core", "prices"])


def rebuilt(instance: dg.DagsterInstance, before: int) -> set[dg.AssetKey]:
    """The assets selected by the daily_refresh runs launched after the first `before` runs."""
    runs = instance.get_runs()[: len(instance.get_runs()) - before]  # newest first
    return {key for run in runs if run.job_name == "daily_refresh" for key in run.asset_selection or ()}


@pytest.fixture
def first(make_settings, instance):
    """A completed refresh of two weeks of snapshot prices."""
    settings = make_settings(start_date="2025-10-01", end_date="2025-10-08")
    refresh(settings, instance, simulate=False)
    return settings


def test_a_new_day_rebuilds_only_what_depends_on_prices(first, make_settings, instance, capsys):
    before = len(instance.get_runs())
    capsys.readouterr()
    settings = make_settings(start_date="2025-10-01", end_date="2025-10-09")
    refresh(settings, instance, simulate=False)
    keys = rebuilt(instance, before)
    assert PRICE_TABLE in keys and set(PRICE_KEYS) <= keys
    assert dg.AssetKey(["mart", "deal_reactions"]) in keys
    assert REGISTRY_TABLE not in keys and dg.AssetKey(["raw", "sec_company_facts"]) not in keys
    # One daily_refresh run fetched the day and rebuilt the price tables; then the report.
    assert [r.job_name for r in instance.get_runs()[: len(instance.get_runs()) - before]] == ["report_job", "daily_refresh"]
    assert "rebuilding only the tables that depend on prices" in capsys.readouterr().out
    assert fetch_one(settings.warehouse, "SELECT max(trade_date) FROM core.prices") == (fetch_one(
        settings.warehouse, "SELECT max(trade_date) FROM raw.share_prices"))


def test_an_edited_registry_rebuilds_every_table(first, instance, tmp_path, monkeypatch):
    edited = tmp_path / "registry"
    shutil.copytree(PROJECT_ROOT / "data" / "registry", edited)
    deals = edited / "deals.csv"  # same bytes so far: another folder alone changes the inputs
    real = pipelines.definitions.build_resources
    monkeypatch.setattr(pipelines.definitions, "build_resources",
                        lambda s: {**real(s), "registry": RegistryResource(folder=str(edited))})
    before = len(instance.get_runs())
    refresh(first, instance, simulate=False)
    assert REGISTRY_TABLE in rebuilt(instance, before)

    before = len(instance.get_runs())
    refresh(first, instance, simulate=False)  # the same edited folder again: nothing to do
    assert len(instance.get_runs()) == before

    deals.write_text(deals.read_text().replace("NVDA-OAI-2025-09-LOI-EQUITY,2025-09-22,day,NVIDIA,OpenAI,equity_investment,100,",
                                               "NVDA-OAI-2025-09-LOI-EQUITY,2025-09-22,day,NVIDIA,OpenAI,equity_investment,90,"))
    assert "equity_investment,90," in deals.read_text()  # the edit took: the row's layout is as written above
    refresh(first, instance, simulate=False)
    assert REGISTRY_TABLE in rebuilt(instance, before)
    assert fetch_one(first.warehouse, "SELECT amount_usd_bn FROM raw.deals WHERE deal_id = 'NVDA-OAI-2025-09-LOI-EQUITY'") == (90,)


def test_prices_changed_by_another_run_rebuild_the_price_tables(first, instance):
    with duckdb.connect(str(first.warehouse)) as conn:  # as a UI run with other data would
        conn.execute("UPDATE raw.share_prices SET close = close + 1 WHERE ticker = 'NVDA' AND trade_date = DATE '2025-10-08'")
    before = len(instance.get_runs())
    refresh(first, instance, simulate=False)
    keys = rebuilt(instance, before)
    assert PRICE_TABLE in keys and REGISTRY_TABLE not in keys and not set(PRICE_KEYS) & keys
    raw, core = (fetch_one(first.warehouse, f"SELECT close FROM {t} WHERE ticker = 'NVDA' AND trade_date = DATE '2025-10-08'")
                 for t in ("raw.share_prices", "core.prices"))
    assert raw == core


def test_a_missing_table_rebuilds_every_table(first, instance):
    with duckdb.connect(str(first.warehouse)) as conn:
        conn.execute("DROP TABLE mart.arpu")
    before = len(instance.get_runs())
    refresh(first, instance, simulate=False)
    assert REGISTRY_TABLE in rebuilt(instance, before)
    assert fetch_one(first.warehouse, "SELECT count(*) > 0 FROM mart.arpu") == (True,)


def test_a_refresh_that_failed_is_redone_by_the_next_one(first, make_settings, instance, tmp_path):
    reports = tmp_path / "reports"
    (reports / "perpetuum.html").mkdir(parents=True)  # a folder where the report goes: its run fails
    settings = make_settings(start_date="2025-10-01", end_date="2025-10-09", report_dir=str(reports))
    with pytest.raises(IsADirectoryError):
        refresh(settings, instance, simulate=False)  # the prices and their tables are stored, the report fails
    (reports / "perpetuum.html").rmdir()
    before = len(instance.get_runs())
    refresh(settings, instance, simulate=False)
    assert PRICE_TABLE in rebuilt(instance, before)  # no completed refresh saw these prices yet
    assert (reports / "perpetuum.html").is_file()


def test_a_run_from_elsewhere_since_the_last_refresh_rebuilds_every_table(first, instance):
    """What a UI or schedule run wrote is not known to the refresh: it rebuilds everything."""
    job = pipelines.definitions.build_definitions(first).resolve_job_def("daily_refresh")
    job.execute_in_process(instance=instance, asset_selection=[dg.AssetKey(["mart", "arpu"])])
    before = len(instance.get_runs())
    refresh(first, instance, simulate=False)
    assert REGISTRY_TABLE in rebuilt(instance, before)
