"""sec_filings_sensor: a new 8-K with Item 1.01 leads to one run, not one per tick."""

from __future__ import annotations

import json

import dagster as dg

from assets.fundamentals import SEC_ASSETS, SecResource
from assets.settings import Settings
from assets.warehouse import WarehouseResource
from pipelines.jobs import sec_filings_job
from pipelines.sensors import build_sec_filings_sensor, build_sensors, seen_accessions
from tests.fundamentals.sec_assets_testdata import AMD_8K
from tests.sec.sec_testdata import SNAPSHOT_DIR

OFFLINE = Settings.from_env({})
LIVE = Settings.from_env({"PERPETUUM_SEC_USER_AGENT": "Perpetuum Tests sec-contact@example.com"})


def tick(instance, sec: SecResource, cursor: str | None):
    sensor = build_sec_filings_sensor(LIVE)
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"sec": sec})
    return sensor(context)


def test_the_amd_candidate_is_requested_once_not_on_every_tick(instance, live_sec, serve_sec, httpserver):
    serve_sec("AMD", "submissions", "submissions_AMD.json")
    serve_sec("NVDA", "submissions", "submissions_NVDA.json")
    sec = live_sec("NVDA", "AMD")

    first = tick(instance, sec, cursor=None)
    assert isinstance(first, dg.SensorResult) and len(first.run_requests) == 1
    assert AMD_8K in seen_accessions(first.cursor)
    assert len(seen_accessions(first.cursor)) == 20  # 17 AMD + 3 NVIDIA 8-Ks with Item 1.01

    second = tick(instance, sec, cursor=first.cursor)
    assert isinstance(second, dg.SkipReason)
    assert "no new 8-K with Item 1.01 from 2 of 2 watched companies" in second.skip_message
    assert len(httpserver.log) == 4  # one submissions request per company and tick


def test_only_a_filing_after_the_cursor_triggers_a_run(instance, live_sec, serve_sec):
    doc = json.loads((SNAPSHOT_DIR / "submissions_AMD.json").read_text())
    seen_before = seen_accessions(json.dumps({"seen": _item_101_accessions(doc)}))
    recent = doc["filings"]["recent"]
    new = {"accessionNumber": "0001193125-26-400001", "filingDate": "2026-09-01", "reportDate": "2026-08-31",
           "form": "8-K", "items": "1.01,9.01", "primaryDocument": "d1d8k.htm"}
    for column, values in recent.items():  # newest first, as the SEC lists them
        values.insert(0, new.get(column, "" if isinstance(values[0], str) else 0))
    serve_sec("AMD", "submissions", body=json.dumps(doc).encode())

    result = tick(instance, live_sec("AMD"), cursor=json.dumps({"seen": sorted(seen_before)}))
    assert isinstance(result, dg.SensorResult) and len(result.run_requests) == 1
    assert seen_accessions(result.cursor) == seen_before | {"0001193125-26-400001"}
    assert result.run_requests[0].tags["perpetuum/new_8k_item_1.01"] == "1"


def test_a_throttled_tick_skips_and_keeps_the_cursor(instance, live_sec, serve_sec):
    serve_sec("AMD", "submissions", "sec_throttle_403.html", status=403, content_type="text/html")
    result = tick(instance, live_sec("AMD"), cursor='{"seen": ["x"]}')
    assert isinstance(result, dg.SkipReason)  # a skip leaves the stored cursor as it was
    assert "Request Rate Threshold Exceeded" in result.skip_message


def test_offline_it_reads_the_snapshot_and_reports_companies_without_data(instance, offline_sec):
    result = tick(instance, offline_sec, cursor=None)
    assert len(result.run_requests) == 1 and AMD_8K in seen_accessions(result.cursor)
    assert isinstance(tick(instance, offline_sec, cursor=result.cursor), dg.SkipReason)


def test_stopped_by_default_and_running_when_live_sec_is_configured():
    off = build_sec_filings_sensor(OFFLINE)
    assert off.default_status == dg.DefaultSensorStatus.STOPPED
    assert off.description.startswith("Off by default: live SEC access needs PERPETUUM_SEC_USER_AGENT")
    assert off.minimum_interval_seconds == 3600
    assert build_sec_filings_sensor(LIVE).default_status == dg.DefaultSensorStatus.RUNNING


def test_the_sensor_its_job_and_the_assets_load_together(tmp_path):
    defs = dg.Definitions(
        assets=SEC_ASSETS,
        jobs=[sec_filings_job],
        sensors=build_sensors(OFFLINE),
        resources={"warehouse": WarehouseResource(database=str(tmp_path / "w.duckdb")), "sec": SecResource()},
    )
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("sec_filings_job")
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == {"raw/sec_filings", "raw/deal_candidates"}
    assert defs.resolve_sensor_def("sec_filings_sensor").job_name == "sec_filings_job"


def _item_101_accessions(doc: dict) -> list[str]:
    recent = doc["filings"]["recent"]
    return [
        a for a, f, i in zip(recent["accessionNumber"], recent["form"], recent["items"], strict=True)
        if f in ("8-K", "8-K/A") and "1.01" in i.split(",")
    ]
