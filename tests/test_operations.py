"""Operations: the run-failure log (sensor and `make run`) and the full rebuild (`refresh --full`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import DagsterEventType

from assets.settings import Settings
from pipelines import cli
from pipelines import refresh as refresh_module
from pipelines.definitions import build_definitions
from pipelines.failures import append_failure, failure_line, log_failed_runs
from pipelines.refresh import missing_days, refresh
from pipelines.sensors import build_run_failure_log_sensor
from tests.integration.conftest import table_hashes

LINE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ job=\S+ run=[0-9a-f-]{36} (partition=\S+ )?steps=\S+ error=.+$"


@dg.asset(key=["raw", "broken"])
def broken():
    raise dg.Failure("registry data/registry: 2 problem(s), nothing was written:\n  deals.csv:12: amount_usd_bn: -5")


@dg.asset(key=["raw", "crashing"])
def crashing():
    raise ValueError("amd_history lacks the month-end close of 2025-07-01\nsecond line")


@dg.asset(key=["raw", "leaky"])
def leaky():
    raise RuntimeError("GET https://stooq.com/q/d/l/?s=amd.us&apikey=sekret-123 failed")


@pytest.fixture
def instance():
    with dg.instance_for_test() as inst:
        yield inst


def failed_run(instance: dg.DagsterInstance, asset: dg.AssetsDefinition) -> dg.DagsterRun:
    result = dg.materialize([asset], instance=instance, raise_on_error=False)
    assert not result.success
    return instance.get_run_by_id(result.run_id)


def test_failure_line_names_time_job_run_step_and_the_first_error_line(instance):
    run = failed_run(instance, broken)
    line = failure_line(instance, run)
    assert "\n" not in line
    assert f" run={run.run_id} " in line
    assert f" job={run.job_name} " in line
    assert " steps=raw__broken " in line
    assert line.endswith("error=Failure: registry data/registry: 2 problem(s), nothing was written:")
    assert datetime.strptime(line.split(" ")[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) <= datetime.now(UTC)


def test_an_exception_is_reported_by_its_class_and_first_line(instance):
    line = failure_line(instance, failed_run(instance, crashing))
    assert line.endswith("error=ValueError: amd_history lacks the month-end close of 2025-07-01")


def test_secrets_from_the_environment_never_reach_the_log(instance, monkeypatch):
    monkeypatch.setenv("PERPETUUM_STOOQ_API_KEY", "sekret-123")
    line = failure_line(instance, failed_run(instance, leaky))
    assert "sekret-123" not in line and "<PERPETUUM_STOOQ_API_KEY>" in line


def test_a_run_is_logged_once(tmp_path):
    log = tmp_path / "logs" / "run_failures.log"
    assert append_failure(log, "abc", "2026-01-01T00:00:00Z job=j run=abc steps=s error=x")
    assert not append_failure(log, "abc", "2026-01-01T00:00:05Z job=j run=abc steps=s error=x")
    assert append_failure(log, "abd", "2026-01-01T00:00:09Z job=j run=abd steps=s error=y")
    assert log.read_text().count("\n") == 2


def test_run_failure_sensor_appends_one_line_per_failed_run(instance, tmp_path):
    settings = Settings.from_env({"PERPETUUM_LOG_DIR": str(tmp_path / "logs")})
    sensor = build_run_failure_log_sensor(settings)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    for asset in (broken, crashing):
        run = failed_run(instance, asset)
        event = instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_FAILURE)[-1].dagster_event
        for _ in range(2):  # the same run seen twice (e.g. by the sensor and by `make run`) gives one line
            context = dg.build_run_status_sensor_context(
                sensor_name=sensor.name, dagster_event=event, dagster_instance=instance, dagster_run=run
            ).for_run_failure()
            sensor(context)
    lines = settings.run_failure_log.read_text().splitlines()
    assert len(lines) == 2
    assert all(re.match(LINE, line) for line in lines), lines
    assert "error=Failure: registry" in lines[0] and "error=ValueError: amd_history" in lines[1]


def test_log_failed_runs_takes_only_runs_since_the_command_started(instance, tmp_path):
    old = failed_run(instance, broken)
    since = datetime.now(UTC)
    new = failed_run(instance, crashing)
    dg.materialize([dg.asset(lambda: 1, name="fine")], instance=instance)
    log = tmp_path / "run_failures.log"
    written = log_failed_runs(instance, since, log)
    assert [line.split(" ")[2] for line in written] == [f"run={new.run_id}"]
    assert old.run_id not in log.read_text()


def test_make_run_writes_its_failed_run_to_the_log(instance, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PERPETUUM_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("PERPETUUM_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setattr(refresh_module.dg.DagsterInstance, "get", staticmethod(lambda: instance))

    def failing_refresh(settings, inst, full=False):
        dg.materialize([broken], instance=inst)  # raises the Failure, as the refresh's runs do

    monkeypatch.setattr(refresh_module, "refresh", failing_refresh)
    with pytest.raises(SystemExit) as exit_:  # `make run` is `perpetuum refresh`
        cli.main(["refresh"])
    assert exit_.value.code == 1
    log = Path(tmp_path / "logs" / "run_failures.log").read_text().splitlines()
    assert len(log) == 1 and "error=Failure: registry data/registry" in log[0]
    err = capsys.readouterr().err
    assert "refresh stopped; the failing step wrote nothing" in err and "run_failures.log" in err


@pytest.mark.slow
def test_full_refresh_refetches_every_day_then_rebuilds_every_table(make_settings, instance):
    settings = make_settings(start_date="2025-10-01", end_date="2025-10-10")
    refresh(settings, instance, simulate=False)
    assert missing_days(build_definitions(settings).resources["warehouse"], settings) == []
    before = table_hashes(settings.warehouse)
    runs_before = {r.run_id for r in instance.get_runs()}

    refresh(settings, instance, simulate=False, full=True)

    new_runs = [r for r in instance.get_runs() if r.run_id not in runs_before]
    # One month: the price partition and every downstream table share one full_rebuild run; the report last.
    assert sorted(r.job_name for r in new_runs) == ["full_rebuild", "report_job"]
    run = next(r for r in new_runs if r.job_name == "full_rebuild" and "dagster/partition" in r.tags)
    assert run.tags["dagster/partition"] == "2025-10"  # the one monthly partition of the range
    assert run.tags["perpetuum/rebuild"] == "full"
    materialized = instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
    prices = [e.dagster_event.event_specific_data.materialization for e in materialized
              if e.dagster_event.asset_key == dg.AssetKey(["raw", "share_prices"])]
    assert [m.partition for m in prices] == ["2025-10"]
    assert prices[0].metadata["ranges_fetched"].value == ["2025-10-01..2025-10-10"]  # every day again, although none was missing
    # every downstream table was rebuilt in that run, the registry's as well as the prices'
    assert {e.dagster_event.asset_key.to_user_string() for e in materialized} >= {"core/prices", "mart/revenue_mix", "raw/deals"}
    # Same source, same data: the rebuild rewrites nothing that differs.
    assert table_hashes(settings.warehouse) == before


@pytest.fixture
def make_settings(tmp_path: Path):
    def build(**env: str) -> Settings:
        values = {"PERPETUUM_WAREHOUSE": str(tmp_path / "warehouse" / "perpetuum.duckdb")}
        values |= {f"PERPETUUM_{k.upper()}": v for k, v in env.items()}
        return Settings.from_env(values)

    return build


def test_failure_log_lines_are_short(instance):
    line = failure_line(instance, failed_run(instance, crashing))
    assert len(line) < 400
