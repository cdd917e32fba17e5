"""Two hazards of a Dagster instance on local SQLite that `make run` has to handle itself.

**Concurrent first use.** Dagster creates and stamps its SQLite storages (alembic) when the
instance is first opened; two processes doing that at the same moment on a fresh DAGSTER_HOME can
leave `alembic_version` with two heads, after which every run fails ("Version table
'alembic_version' has more than one head present"). `open_instance` holds an exclusive lock file in
DAGSTER_HOME while the instance is opened, so a second refresh waits for the first one's set-up.

**Runs whose process died** (SIGKILL, out of memory, a reboot) before they ended. Such a run stays STARTED in the instance and keeps the slot it holds in the `duckdb` pool. With the
pool's limit of 1 (dagster.yaml), every later run then waits for that slot forever ("Step blocked by
limit for pool duckdb"). A Dagster daemon with run monitoring would clean up; `make run` has none,
so the refresh does it itself before it starts: a run whose worker process no longer exists on this
machine is marked failed and its pool slots are released. A run whose process is alive (another
refresh, a run launched from the UI) is left alone. The warehouse needs no repair: each write is one
DuckDB transaction, which the kill rolled back.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import dagster as dg
from dagster._core.events import DagsterEventType

ACTIVE = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
LOCK_FILE = ".perpetuum-instance.lock"


def open_instance() -> dg.DagsterInstance:
    """`DagsterInstance.get()` (DAGSTER_HOME), with storage creation serialised across processes."""
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    with open(home / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        return dg.DagsterInstance.get()


def _started_at(pid: int) -> float | None:
    """When process `pid` started (Unix time), from /proc; None where /proc is not available."""
    try:
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime"))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _alive(pid: int, run_started: float) -> bool:
    """Is the process that started the run still running (and not a later process with the same pid)?"""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    started = _started_at(pid)
    return started is None or started <= run_started + 1.0


def release_interrupted_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every active run whose worker process is gone, release its pool slots; describe each."""
    released = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=ACTIVE)):
        starts = instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_START)
        event = starts[0].dagster_event if starts else None
        if event is None or event.pid is None or _alive(event.pid, starts[0].timestamp):
            continue  # not started by a worker yet, or still running
        message = (
            f"interrupted: its process (pid {event.pid}) no longer exists; marked failed and its "
            "concurrency-pool slots released by the next refresh"
        )
        instance.report_run_failed(run, message=message)
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(f"run {run.run_id} ({run.job_name}) was {message}")
    return released
