"""A run that fails part-way must not leave tables silently built from different inputs.

The build ledger (`meta.build_state`, assets/warehouse_state.py) records, in each write transaction,
what a derived table was built from. These cases break a refresh between two of its steps and check
that the summary says which tables are out of step, and that the next refresh rebuilds them.

The full disk is real: the warehouse lives on a 64 MiB tmpfs mounted in the child's own mount
namespace (`unshare --mount`, root), and when the simulation's second scenario starts, a hook in
the child fills that filesystem with a filler file, so DuckDB's next write gets ENOSPC from the
kernel. (Filling it at a chosen moment keeps the case deterministic; a fixed small size would fail
at a different step on every change of the data.) Where mounting is not permitted the case skips.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest

from assets.settings import Settings
from assets.warehouse import WarehouseResource
from assets.warehouse_state import check, lineage
from pipelines.definitions import build_definitions
from pipelines.refresh import consistency_line, refresh
from pipelines.staleness import plan_refresh
from tests.reliability.reliability_testdata import copy_warehouse, refresh_env, start_refresh

TICKERS = "AMD,NVDA"
# A year of AMD closes before July 2025: the simulation needs 251 to estimate AMD's price model.
START, END, LATER = date(2024, 7, 1), date(2025, 7, 31), date(2025, 8, 8)
CHILD_TIMEOUT = 400


def settings_for(warehouse: Path, end: date = END) -> Settings:
    return Settings.from_env({
        "PERPETUUM_WAREHOUSE": str(warehouse), "PERPETUUM_REPORT_DIR": str(warehouse.parent / "reports"),
        "PERPETUUM_LOG_DIR": str(warehouse.parent / "logs"), "PERPETUUM_TICKERS": TICKERS,
        "PERPETUUM_START_DATE": START.isoformat(), "PERPETUUM_END_DATE": end.isoformat()})


@pytest.fixture(scope="module")
def complete(tmp_path_factory, ephemeral_instance) -> Path:
    """A warehouse from a completed refresh from July 2024 to July 2025 (simulation included)."""
    path = tmp_path_factory.mktemp("complete") / "perpetuum.duckdb"
    refresh(settings_for(path), ephemeral_instance)
    return path


def verdict(warehouse: Path, end: date = END):
    settings = settings_for(warehouse, end)
    defs = build_definitions(settings)
    with WarehouseResource(database=str(warehouse)).get_connection() as conn:
        return check(conn, lineage(defs.resolve_asset_graph()))


def amd_start_prices(warehouse: Path) -> dict[str, float]:
    """Per scenario, the AMD price its share-price model started from (sim.scenario_inputs)."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return dict(conn.execute("SELECT scenario, value FROM sim.scenario_inputs WHERE parameter = 'amd_s0_usd'").fetchall())


def last_amd_close(warehouse: Path) -> float:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute("SELECT close FROM core.prices WHERE ticker = 'AMD' ORDER BY trade_date DESC LIMIT 1").fetchone()[0]


def test_completed_refresh_is_consistent(complete, record):
    state = verdict(complete)
    derived = lineage(build_definitions(settings_for(complete)).resolve_asset_graph())
    # every derived table (a table with upstream tables) of the code location has its ledger entry
    assert state.consistent and state.built == sum(1 for parents in derived.values() if parents)
    line = consistency_line(settings_for(complete))
    assert "consistent" in line and "INCONSISTENT" not in line
    record("completed refresh", "a refresh from July 2024 to July 2025 that completed (prices, every table, the three scenarios)",
           "the ledger finds every derived table built from what its inputs hold now",
           f"{state.built} derived tables recorded, none stale; summary: `{line}`", None, None)


def test_prices_changed_under_the_tables_are_reported(complete, tmp_path, record):
    # A price batch committed, and the run died before any downstream step (what a kill between the
    # price run and the downstream run leaves): the newest AMD bar is gone from raw.share_prices.
    warehouse = copy_warehouse(complete, tmp_path / "perpetuum.duckdb")
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("DELETE FROM raw.share_prices WHERE ticker = 'AMD' AND trade_date = ?", [END])
    state = verdict(warehouse)
    assert "core.prices" in state.stale and set(state.stale["sim.outcomes"]) == {"base", "bull", "bear"}
    assert "mart.arpu" not in state.stale  # built from the registry only
    line = consistency_line(settings_for(warehouse))
    assert "INCONSISTENT" in line and "core.prices" in line
    record("prices changed after the tables were built", "AMD's last bar removed from raw.share_prices after a completed "
           "refresh (a price batch committed, nothing downstream rebuilt)",
           "core.prices and every table built on it reported stale; the tables that do not read prices are not",
           f"{len(state.stale)} stale tables, mart.arpu and the registry marts not among them; summary: `{line[:300]}…`",
           None, None)


FILL = '''
import pathlib
import assets.simulation.assets as sim


def read_input_tables(conn, _read=sim.read_input_tables, filler=pathlib.Path({filler!r})):
    """When the second scenario starts, the warehouse's filesystem fills up."""
    import dagster as dg

    context = dg.OpExecutionContext.get()  # the comparison step of report_job reads the inputs too
    if context.has_partition_key and context.partition_key == "bull" and not filler.exists():
        with open(filler, "wb", buffering=0) as file:
            try:
                while True:
                    file.write(bytes(1 << 20))
            except OSError:
                pass
    return _read(conn)


sim.read_input_tables = read_input_tables
'''


def tmpfs_namespace(mount: Path, source: Path, out: Path) -> list[str] | None:
    """A command prefix: a private mount namespace with a 64 MiB tmpfs on `mount` holding a copy of
    `source`; after the command, everything on it is copied to `out` (the namespace and its tmpfs
    vanish with the process). None where this machine does not allow it."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    script = (f'mount -t tmpfs -o size=64m tmpfs "{mount}" || exit 97; cp "{source}" "{mount}/perpetuum.duckdb"; '
              f'"$@"; code=$?; cp -a "{mount}/." "{out}/"; exit $code')
    prefix = [unshare, "--mount", "--propagation", "private", "sh", "-c", script, "sh"]
    probe = subprocess.run([unshare, "--mount", "--propagation", "private", "sh", "-c", f'mount -t tmpfs -o size=1m tmpfs "{mount}"'],
                           capture_output=True)
    return prefix if probe.returncode == 0 else None


def test_disk_full_mid_run_is_reported_and_repaired_next_run(complete, tmp_path, ephemeral_instance, record):
    mount, out, home = tmp_path / "disk", tmp_path / "after", tmp_path / "home"
    mount.mkdir(), out.mkdir()
    wrap = tmpfs_namespace(mount, complete, out)
    if wrap is None:
        pytest.skip("needs `unshare --mount` and a tmpfs mount (root) to make a real full disk")
    old_start = amd_start_prices(complete)
    # The refresh one week further (to LATER) on the tmpfs copy: new prices, every table, then the
    # scenarios; the disk fills up when the second one (bull) starts.
    env = refresh_env(home, mount / "perpetuum.duckdb", tickers=TICKERS, start_date=START.isoformat(), end_date=LATER.isoformat())
    child = start_refresh(env, prelude=FILL.format(filler=str(mount / "filler")), wrap=wrap)
    stdout, stderr = child.communicate(timeout=CHILD_TIMEOUT)
    assert child.returncode == 1, stderr[-4000:]
    assert "Traceback" not in stderr, stderr[-4000:]
    failed = [line for line in stderr.splitlines() if line.startswith("refresh failed:")]
    assert len(failed) == 1 and "No space left on device" in failed[0], stderr[-4000:]
    summary = [line for line in stderr.splitlines() if line.startswith("warehouse ")]
    assert len(summary) == 1 and "INCONSISTENT" in summary[0], stderr[-4000:]
    assert "sim.outcomes (bear, bull)" in summary[0] and "core.prices" not in summary[0]

    # What the failed run left (copied out of the tmpfs): new prices, base rebuilt from them, bull
    # and bear still from the old ones — and the ledger knows it.
    warehouse = out / "perpetuum.duckdb"
    (out / "filler").unlink()
    new_close = last_amd_close(warehouse)
    left = amd_start_prices(warehouse)
    assert left["base"] == new_close != old_start["base"]
    assert left["bull"] == old_start["bull"] and left["bear"] == old_start["bear"]
    state = verdict(warehouse, LATER)
    per_scenario = {f"sim.{t}" for t in ("outcomes", "path_quantiles", "sample_paths", "scenario_inputs")}
    comparison = {"sim.anchor_comparison", "sim.sensitivity"}  # the report job's: the failed run never got there
    assert set(state.stale) == per_scenario | comparison
    assert all(state.stale[t] == ("bear", "bull") for t in per_scenario) and all(state.stale[t] == ("",) for t in comparison)

    # The next refresh (disk space back) sees it first and rebuilds every table and scenario.
    settings = settings_for(warehouse, LATER)
    defs = build_definitions(settings)
    plan = plan_refresh(defs, ephemeral_instance, defs.resolve_job_def("daily_refresh"), fetching=False)
    assert plan.why.startswith("the warehouse is inconsistent (") and "sim.outcomes" in plan.why and not plan.simulation_current
    refresh(settings, ephemeral_instance)
    repaired = amd_start_prices(warehouse)
    assert repaired == {"base": new_close, "bull": new_close, "bear": new_close}
    assert verdict(warehouse, LATER).consistent
    record("disk full between two scenarios", "the warehouse on a 64 MiB tmpfs (own mount namespace); the refresh one week "
           "further fills it up when the second scenario (bull) starts: a real ENOSPC from the kernel",
           "the run fails with one line; the summary says which tables are out of step; the next run rebuilds them first",
           f"`{failed[0][:160]}…`; summary: `{summary[0][summary[0].index('INCONSISTENT'):][:200]}…`; left: base from the new "
           f"prices (AMD start {new_close}), bull and bear from the old ({old_start['bull']}); next run: "
           f"`{plan.why[:90]}…`, then all three from {new_close} and the ledger consistent", 0, 0)
