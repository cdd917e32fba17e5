"""Refresh benchmark: `make run` as a whole process, against a trivial Dagster process on the same machine.

Every figure is one whole process (`python -m pipelines.refresh`, what `make run` starts), from an
empty warehouse and an empty DAGSTER_HOME holding the project's dagster.yaml (SQLite storage, the
`duckdb` pool), on the bundled snapshot, in this order:

- trivial: two assets (`a`, then `b` reading it) materialized in a new instance of the same type,
  as its own process: Python, Dagster's import, a run's bookkeeping. The base of every ratio.
- first: the first refresh, PERPETUUM_START_DATE (2020-01-01) to the day before the snapshot's last
  trading day: every price, every table, the simulation, the report;
- one new day: the same warehouse and instance, PERPETUUM_END_DATE moved to the snapshot's last
  trading day: that day fetched, the tables that depend on prices rebuilt, simulation, report;
- nothing new: the same command again: nothing to fetch or rebuild.

With `--repeats N` the whole sequence runs N times (each with a new warehouse and instance, a
trivial run before each case), and the medians are compared. The targets (issue 13): first
<= 30 s and <= 8x trivial, one new day <= 3x trivial, nothing new <= 1.5x trivial. Each refresh's
own output is kept in the temporary folder and shown when it fails.

    .venv/bin/python benchmarks/refresh.py [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"first": 8.0, "one new day": 3.0, "nothing new": 1.5}  # x trivial
FIRST_RUN_SECONDS = 30.0
TRIVIAL = """
import dagster as dg

@dg.asset
def a() -> int:
    return 1

@dg.asset
def b(a: int) -> int:
    return a + 1

assert dg.materialize([a, b], instance=dg.DagsterInstance.get()).success
"""


@dataclass
class Measured:
    wall: float
    cpu: float
    peak_rss_mb: float


def timed(command: list[str], env: dict[str, str], log: Path) -> Measured:
    """Wall and CPU seconds and peak RSS of one process (the kernel's accounting of the child)."""
    with open(log, "ab") as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.stderr.write(log.read_text(errors="replace")[-6000:])
        raise SystemExit(f"{' '.join(command)} exited with {child.returncode} (log: {log})")
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def new_home(folder: Path) -> Path:
    home = folder / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    return home


def last_snapshot_days() -> tuple[date, date]:
    """The snapshot's last trading day and the one before it (NYSE tickers' bars)."""
    import polars as pl

    days = (
        pl.scan_parquet(ROOT / "data" / "snapshot" / "prices.parquet")
        .filter(pl.col("ticker") == "SPY")
        .select(pl.col("trade_date").unique().sort().tail(2))
        .collect()["trade_date"]
    )
    return days[0], days[1]


def sequence(folder: Path, previous: date, last: date) -> dict[str, Measured]:
    """trivial, first, trivial, one new day, trivial, nothing new: each in a new process."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PERPETUUM_", "DAGSTER_"))}
    refresh_env = {
        **base,
        "DAGSTER_HOME": str(new_home(folder / "refresh")),
        "PERPETUUM_WAREHOUSE": str(folder / "refresh" / "perpetuum.duckdb"),
        "PERPETUUM_REPORT_DIR": str(folder / "refresh" / "reports"),
        "PERPETUUM_LOG_DIR": str(folder / "refresh" / "logs"),
    }
    refresh = [sys.executable, "-m", "pipelines.refresh"]
    cases = {
        "first": {**refresh_env, "PERPETUUM_END_DATE": previous.isoformat()},
        "one new day": {**refresh_env, "PERPETUUM_END_DATE": last.isoformat()},
        "nothing new": {**refresh_env, "PERPETUUM_END_DATE": last.isoformat()},
    }
    measured: dict[str, list[Measured]] = {}
    for n, (name, env) in enumerate(cases.items()):
        trivial_home = new_home(folder / f"trivial-{n}")
        measured.setdefault("trivial", []).append(
            timed([sys.executable, "-c", TRIVIAL], {**base, "DAGSTER_HOME": str(trivial_home)}, folder / "trivial.log"))
        print(f"  trivial: {measured['trivial'][-1].wall:.2f} s", file=sys.stderr, flush=True)
        measured[name] = [timed(refresh, env, folder / f"{name.replace(' ', '_')}.log")]
        print(f"  {name}: {measured[name][-1].wall:.2f} s", file=sys.stderr, flush=True)
    return {name: Measured(*(statistics.median(getattr(m, f) for m in runs) for f in ("wall", "cpu", "peak_rss_mb")))
            for name, runs in measured.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=1, help="whole sequences to run (each from an empty warehouse)")
    args = parser.parse_args(argv)
    previous, last = last_snapshot_days()
    load = os.getloadavg()[0]
    print(f"snapshot {previous} -> {last}; {args.repeats} sequence(s) on {os.cpu_count()} CPUs", file=sys.stderr)
    runs = []
    for repeat in range(args.repeats):
        print(f"sequence {repeat + 1} of {args.repeats}", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="refresh-bench-") as tmp:
            runs.append(sequence(Path(tmp), previous, last))
    median = {name: Measured(*(statistics.median(getattr(r[name], f) for r in runs) for f in ("wall", "cpu", "peak_rss_mb")))
              for name in runs[0]}
    trivial = median["trivial"].wall
    print(f"{'case':<14}{'wall s':>9}{'cpu s':>9}{'peak RSS MB':>13}{'x trivial':>11}{'cpu x':>8}{'target':>9}")
    for name, m in median.items():
        target = f"<= {TARGETS[name]:g}x" if name in TARGETS else "(base)"
        print(f"{name:<14}{m.wall:>9.2f}{m.cpu:>9.2f}{m.peak_rss_mb:>13.0f}{m.wall / trivial:>11.2f}"
              f"{m.cpu / median['trivial'].cpu:>8.2f}{target:>9}")
    print(f"first refresh {median['first'].wall:.1f} s (target <= {FIRST_RUN_SECONDS:g} s); prices 2020-01-01..{previous}, "
          f"then {last}; medians of {args.repeats} sequence(s); load average (1 min) {load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end (above ~0.5: other work shared the CPUs)")
    print("refresh " + " ".join(
        f"{name.replace(' ', '_')}_seconds={m.wall:.2f}" for name, m in median.items()) + " " + " ".join(
        f"ratio_{name.replace(' ', '_')}_vs_trivial={median[name].wall / trivial:.2f}" for name in TARGETS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
