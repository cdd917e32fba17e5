"""The run-failure log: one short line per failed run in a file users can `tail -f`.

    2026-05-29T22:31:04Z job=daily_refresh run=1a2b3c4d-... steps=share_prices_ingest error=Failure: AMD 2026-05-28: close: -1.0 — must be >= 0

Written by `run_failure_log_sensor` (pipelines/sensors.py) for runs launched by the UI, the
schedule, sensors and backfills, and by `make run` (pipelines/refresh.py) for the runs it executes
in its own process, so a failure shows up even when no Dagster daemon is running. Both look the
run up in the instance and format it the same way; a run already in the file is not written
again, so a run seen by both gives one line. No outside services: a local file only.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster._core.events import DagsterEventType

MAX_ERROR_CHARS = 300
# Only the file's tail is searched for the run id: a run is logged right after it fails.
DEDUP_WINDOW_BYTES = 256 * 1024
# Values that must never reach a log line, even if an error message quoted them.
SECRET_VARIABLES = ("PERPETUUM_STOOQ_API_KEY", "PERPETUUM_SEC_USER_AGENT")


def _one_line(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:MAX_ERROR_CHARS] + ("…" if len(first) > MAX_ERROR_CHARS else "")


def _strip_module(text: str) -> str:
    """'dagster._core.definitions.events.Failure: x' -> 'Failure: x' (the class name is enough)."""
    head, sep, rest = text.partition(": ")
    if sep and " " not in head and "." in head:
        return f"{head.rsplit('.', 1)[1]}: {rest}"
    return text


def _step_error(step_failure_data) -> str:
    """The first line of what went wrong in a step: a Failure's description, else the innermost cause."""
    if step_failure_data.user_failure_data and step_failure_data.user_failure_data.description:
        return "Failure: " + _one_line(step_failure_data.user_failure_data.description)
    error = step_failure_data.error
    if error is None:
        return "unknown error"
    while error.cause is not None:  # DagsterExecutionStepExecutionError wraps the user's exception
        error = error.cause
    return _strip_module(_one_line(error.message))


def _mask_secrets(text: str) -> str:
    for name in SECRET_VARIABLES:
        value = os.environ.get(name, "").strip()
        if len(value) >= 4:
            text = text.replace(value, f"<{name}>")
    return text


def failure_line(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str:
    """One line (no newline) for a failed run: UTC time, job, run id, failed step(s), first error line."""
    failures = instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_FAILURE)
    run_failures = instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_FAILURE)
    steps = sorted({r.dagster_event.step_key for r in failures if r.dagster_event and r.dagster_event.step_key})
    if failures and failures[0].dagster_event:
        error = _step_error(failures[0].dagster_event.step_failure_data)
    elif run_failures:  # the run failed outside any step (run worker crashed, bad config, ...)
        error = _one_line(run_failures[-1].message or run_failures[-1].user_message or "run failed")
    else:
        error = "run failed"
    when = run_failures[-1].timestamp if run_failures else datetime.now(UTC).timestamp()
    stamp = datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    partition = run.tags.get("dagster/partition") or (
        f"{run.tags['dagster/asset_partition_range_start']}..{run.tags['dagster/asset_partition_range_end']}"
        if "dagster/asset_partition_range_start" in run.tags
        else None
    )
    parts = [stamp, f"job={run.job_name}", f"run={run.run_id}"]
    if partition:
        parts.append(f"partition={partition}")
    parts += [f"steps={','.join(steps) or '-'}", f"error={error}"]
    return _mask_secrets(" ".join(parts)).replace("\n", " ").replace("\r", " ")


def append_failure(path: Path, run_id: str, line: str) -> bool:
    """Append `line` unless the run is already in the file; True if written.

    An exclusive lock makes check-and-append atomic between the daemon and `make run`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as log:
        fcntl.flock(log, fcntl.LOCK_EX)
        try:
            size = log.seek(0, os.SEEK_END)
            log.seek(max(0, size - DEDUP_WINDOW_BYTES))
            if f" run={run_id} " in log.read():
                return False
            log.seek(0, os.SEEK_END)
            log.write(line + "\n")
            log.flush()
            return True
        finally:
            fcntl.flock(log, fcntl.LOCK_UN)


def log_run(instance: dg.DagsterInstance, run: dg.DagsterRun, path: Path) -> bool:
    return append_failure(path, run.run_id, failure_line(instance, run))


def log_failed_runs(instance: dg.DagsterInstance, since: datetime, path: Path) -> list[str]:
    """Log every run that failed and was created at or after `since` (used by `make run`, whose
    runs raise in its own process); returns the lines written."""
    written = []
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE], created_after=since))
    for run in reversed(runs):  # oldest first
        line = failure_line(instance, run)
        if append_failure(path, run.run_id, line):
            written.append(line)
    return written
