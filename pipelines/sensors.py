"""Sensors: runs started by something outside Dagster happening.

`sec_filings_sensor` checks every hour whether a watched company (companies.csv, listed, with a
CIK) has filed an 8-K with Item 1.01 — a material definitive agreement, the way AMD disclosed its
OpenAI agreement and warrant (8-K of 2025-10-06, accession 0001193125-25-230895) — that it has
not seen before, and if so requests one run of `sec_filings_job` (raw/sec_filings +
raw/deal_candidates). The cursor is the set of accession numbers already seen, so each filing
leads to one run, not one per tick. One submissions request per company and tick (9 companies:
far below the SEC's 10 requests/second).

Off by default: live SEC access needs PERPETUUM_SEC_USER_AGENT. Started in offline mode by hand,
it reads the bundled snapshot, which never changes, so it requests one run and then skips.

`run_failure_log_sensor` appends one line per failed run to `<PERPETUUM_LOG_DIR>/run_failures.log`
(pipelines/failures.py). On by default; it needs nothing outside this machine.

`automation_sensor` evaluates the assets' automation conditions (the simulation's `eager()`: run
every scenario once its upstream tables were updated, e.g. by the daily schedule). Dagster's own
`default_automation_condition_sensor` would do the same but starts stopped; this one is on by
default so that the schedule's run is followed by the simulation without a click in the UI.
"""

import hashlib
import json

import dagster as dg

from assets.fundamentals import SecResource
from assets.fundamentals.companies import WatchListError
from assets.fundamentals.fetch import material_agreements
from assets.sec import SecError
from assets.settings import Settings

from pipelines.failures import log_run
from pipelines.jobs import sec_filings_job

SEC_SENSOR_INTERVAL_SECONDS = 3600
OFF_DESCRIPTION = (
    "Off by default: live SEC access needs PERPETUUM_SEC_USER_AGENT (e.g. 'Name contact@example.com'); "
    "set it and reload to have this sensor start itself. "
)
ON_DESCRIPTION = "Running: PERPETUUM_SEC_USER_AGENT is set. "
WHAT = (
    "Every hour, checks the watched companies' recent SEC filings for new 8-Ks with Item 1.01 "
    "(material definitive agreement) and runs sec_filings_job once per batch of new filings; "
    "the cursor holds the accession numbers already seen."
)


def seen_accessions(cursor: str | None) -> set[str]:
    """The accession numbers stored in the cursor (an unreadable cursor counts as empty)."""
    if not cursor:
        return set()
    try:
        return set(json.loads(cursor)["seen"])
    except (ValueError, KeyError, TypeError):
        return set()


def make_cursor(seen: set[str]) -> str:
    return json.dumps({"seen": sorted(seen)})


def build_sec_filings_sensor(settings: Settings) -> dg.SensorDefinition:
    live = settings.uses_live_sec

    @dg.sensor(
        name="sec_filings_sensor",
        job=sec_filings_job,
        minimum_interval_seconds=SEC_SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING if live else dg.DefaultSensorStatus.STOPPED,
        description=(ON_DESCRIPTION if live else OFF_DESCRIPTION) + WHAT,
    )
    def sec_filings_sensor(context: dg.SensorEvaluationContext, sec: SecResource):
        seen = seen_accessions(context.cursor)
        try:
            companies = sec.watched()
            found, problems = material_agreements(sec.source(), companies, context.log.info)
        except SecError as exc:  # throttled: asking again within the hour would extend the block
            return dg.SkipReason(f"{exc}; the next tick tries again")
        except WatchListError as exc:
            raise dg.Failure(str(exc)) from exc
        for ticker, why in problems.items():
            context.log.warning(f"{ticker}: {why}")
        new = sorted(set(found["accession_number"]) - seen)
        if not new:
            return dg.SkipReason(
                f"no new 8-K with Item 1.01 from {len(companies) - len(problems)} of {len(companies)} watched "
                f"companies ({sec.mode}); {len(seen)} seen before"
            )
        rows = found.filter(found["accession_number"].is_in(new)).unique("accession_number").sort("filing_date")
        context.log.info(
            "new 8-K with Item 1.01: "
            + ", ".join(f"{r['company']} {r['filing_date']} {r['accession_number']}" for r in rows.iter_rows(named=True))
        )
        run_key = "sec-8k-item-1.01-" + hashlib.sha256(",".join(new).encode()).hexdigest()[:16]
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=run_key, tags={"perpetuum/new_8k_item_1.01": str(len(new))})],
            cursor=make_cursor(seen | set(new)),
        )

    return sec_filings_sensor


def build_run_failure_log_sensor(settings: Settings) -> dg.SensorDefinition:
    log_path = settings.run_failure_log

    @dg.run_failure_sensor(
        name="run_failure_log_sensor",
        description=(
            f"Appends one line per failed run (UTC time, job, run id, partition, failed steps, first line of "
            f"the error) to {log_path} (folder from PERPETUUM_LOG_DIR): `tail -f` it. Local file only, no "
            "outside service. Watches every run in this Dagster instance, including those of `make run`, "
            "which writes its own failures at once as well; a run is never logged twice."
        ),
        default_status=dg.DefaultSensorStatus.RUNNING,
        # Runs executed in-process by `make run` carry no code-location origin: only "all" matches them.
        monitor_all_code_locations=True,
        minimum_interval_seconds=30,
    )
    def run_failure_log_sensor(context: dg.RunFailureSensorContext):
        if log_run(context.instance, context.dagster_run, log_path):
            context.log.info(f"logged failed run {context.dagster_run.run_id} to {log_path}")

    return run_failure_log_sensor


def build_automation_sensor() -> dg.AutomationConditionSensorDefinition:
    return dg.AutomationConditionSensorDefinition(
        "automation_sensor",
        # Every asset: those without an automation condition are ignored, one added later is covered.
        target=dg.AssetSelection.all(),
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=30,
        description=(
            "Evaluates the assets' automation conditions every 30 s: the simulation (eager) runs each scenario "
            "once the tables it reads were updated, e.g. after the daily schedule's run or a full_rebuild "
            "backfill. On by default."
        ),
    )


def build_sensors(settings: Settings) -> list[dg.SensorDefinition]:
    """Every sensor of the code location, their default status depending on the settings."""
    return [build_sec_filings_sensor(settings), build_run_failure_log_sensor(settings), build_automation_sensor()]
