"""Two refreshes at once, a reader during the writes, a run killed mid-write, reruns, and secrets.

The runs here are `python -m pipelines.refresh` child processes (the `make run` command) with their
own DAGSTER_HOME holding the project's dagster.yaml (SQLite storage, the `duckdb` pool limited to
one step), over the bundled snapshot for AMD and NVDA in July 2025 (long enough for the simulation).
The *reference* is the same refresh run once, alone, in this process; "correct" means equal to it,
table by table (the `fetched_at` columns, which record when a row was written, aside).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.events import DagsterEventType
from dagster._core.instance.ref import InstanceRef

from assets.market.coverage import every_day
from assets.settings import PROJECT_ROOT, Settings, SettingsError
from pipelines.definitions import build_definitions
from pipelines.refresh import LOG_CONFIG, missing_days, partition_ranges, partition_tags, price_run_config, refresh
from pipelines.resources import build_resources
from tests.integration.conftest import table_hashes
from tests.replay import faults as F
from tests.replay.yahoo import YahooReplay
from tests.reliability.reliability_testdata import (
    Loss,
    changed,
    content_hashes,
    copy_warehouse,
    keys,
    measure,
    measure_tables,
    refresh_env,
    snapshot_actions,
    snapshot_prices,
    start_refresh,
    table_rows,
    use_fast_sources,
)

TICKERS = ("AMD", "NVDA")
START, END = date(2025, 7, 1), date(2025, 7, 31)
RANGE = {"start_date": START.isoformat(), "end_date": END.isoformat(), "tickers": ",".join(TICKERS)}
CHILD_TIMEOUT = 240  # seconds; a child that takes longer is killed and the test fails
POOL_BLOCKED = "Step blocked by limit for pool duckdb"


def expected_keys(first: date = START, last: date = END) -> set[tuple]:
    bars = snapshot_prices(TICKERS, first, last)
    return set(zip(bars["ticker"], bars["trade_date"]))


def settings_for(warehouse: Path, **env: str) -> Settings:
    values = {"PERPETUUM_WAREHOUSE": str(warehouse), "PERPETUUM_REPORT_DIR": str(warehouse.parent / "reports"),
              "PERPETUUM_LOG_DIR": str(warehouse.parent / "logs")}
    values |= {f"PERPETUUM_{k.upper()}": v for k, v in (RANGE | env).items()}
    return Settings.from_env(values)


def finish(child: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = child.communicate(timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        pytest.fail(f"refresh child did not finish in {CHILD_TIMEOUT} s:\n{out[-2000:]}\n{err[-4000:]}")
    return child.returncode, out, err


def open_instance(home: Path, monkeypatch) -> dg.DagsterInstance:
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # dagster.yaml reads its storage folder from it
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))


def full_rerun(settings: Settings, instance: dg.DagsterInstance) -> None:
    """Every partition of the range fetched again and everything downstream rebuilt, ignoring the
    coverage ledger (what `refresh --full` / a backfill of all partitions does), then the simulation."""
    defs = build_definitions(settings)
    job = defs.resolve_job_def("daily_refresh")
    (first, last, _), = partition_ranges(job.partitions_def, every_day(settings.start_date, settings.end_date))
    run_config = price_run_config(settings, refetch=True)
    assert job.execute_in_process(instance=instance, tags=partition_tags(first, last), run_config=run_config).success
    simulation = defs.resolve_job_def("simulation_job")
    for scenario in simulation.partitions_def.get_partition_keys():
        assert simulation.execute_in_process(instance=instance, partition_key=scenario, run_config=LOG_CONFIG).success


@pytest.fixture(scope="module")
def reference(tmp_path_factory, ephemeral_instance):
    """The refresh run once, alone: its warehouse and per-table content hashes."""
    path = tmp_path_factory.mktemp("reference") / "perpetuum.duckdb"
    refresh(settings_for(path), ephemeral_instance)
    assert set(keys(path)) == expected_keys()
    return path, content_hashes(path)


# -- two refreshes at once, and a reader ---------------------------------------------------------------


class Reader(threading.Thread):
    """The documented read-only access in a loop: what does a reader see while runs write?"""

    def __init__(self, warehouse: Path):
        super().__init__(daemon=True)
        self.warehouse = warehouse
        self.stop = threading.Event()
        self.seen: Counter = Counter()  # (price rows, ledger days) -> times seen
        self.refused = 0  # connect refused: a writer holds the file (or it does not exist yet)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                conn = duckdb.connect(str(self.warehouse), read_only=True)
            except duckdb.Error:
                self.refused += 1
                time.sleep(0.01)
                continue
            try:
                present = {t for (t,) in conn.execute(
                    "SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()}
                if {"raw.share_prices", "raw.share_price_coverage"} <= present:
                    prices = conn.execute("SELECT count(*) FROM raw.share_prices WHERE trade_date BETWEEN ? AND ?", [START, END]).fetchone()[0]
                    days = conn.execute("SELECT count(*) FROM raw.share_price_coverage WHERE trade_date BETWEEN ? AND ?", [START, END]).fetchone()[0]
                    self.seen[(prices, days)] += 1
            finally:
                conn.close()
            time.sleep(0.1)


def pool_steps(settings: Settings) -> set[str]:
    """Step keys of the refresh's jobs whose op is in the `duckdb` pool."""
    defs = build_definitions(settings)
    steps = set()
    for job in ("daily_refresh", "simulation_job"):
        for node in defs.resolve_job_def(job).graph.node_dict.values():
            if getattr(node.definition, "pool", None) == "duckdb":
                steps.add(node.name)
    return steps


def step_intervals(instance: dg.DagsterInstance, steps: set[str]) -> list[tuple[float, float, int, str]]:
    """(start, end, pid, step) of every execution of a pool step, from the instance's event log."""
    out = []
    for run in instance.get_runs():
        starts: dict[str, tuple[float, int]] = {}
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None or event.step_key not in steps:
                continue
            if event.event_type == DagsterEventType.STEP_START:
                starts[event.step_key] = (entry.timestamp, event.pid)
            elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE) and event.step_key in starts:
                began, pid = starts.pop(event.step_key)
                out.append((began, entry.timestamp, pid, event.step_key))
    return sorted(out)


def test_two_refreshes_at_once_with_a_reader(tmp_path, reference, monkeypatch, record):
    ref_path, ref_hashes = reference
    warehouse, home = tmp_path / "perpetuum.duckdb", tmp_path / "home"
    env = refresh_env(home, warehouse, **RANGE)
    reader = Reader(warehouse)
    reader.start()
    children = [start_refresh(env), start_refresh(env)]  # same moment, same warehouse, same DAGSTER_HOME
    results = [finish(child) for child in children]
    time.sleep(0.2)
    reader.stop.set()
    reader.join(10)

    for code, out, err in results:
        assert code == 0, err[-4000:]
        assert "WarehouseBusyError" not in err and "Could not set lock" not in err and "Traceback" not in err
    # Each fetched the whole range, or found it already loaded by the other (it depends on who opened first).
    fetched = [f"prices: fetching {(END - START).days + 1} days {START}..{END} (" in out for _, out, _ in results]
    assert all(f or f"every day {START}..{END} is already loaded" in out for f, (_, out, _) in zip(fetched, results))

    instance = open_instance(home, monkeypatch)
    blocked = sum(1 for run in instance.get_runs() for e in instance.all_logs(run.run_id, of_type=DagsterEventType.ENGINE_EVENT)
                  if POOL_BLOCKED in (e.user_message or ""))
    intervals = step_intervals(instance, pool_steps(settings_for(warehouse)))
    pids = {pid for *_, pid, _ in intervals}
    assert len(pids) == 2 and len({run.run_id for run in instance.get_runs()}) >= 10
    # The pool held: no two steps that open the warehouse ran at the same time, across both processes.
    overlaps = [(a, b) for a, b in zip(intervals, intervals[1:]) if b[0] < a[1] - 1e-6]
    assert overlaps == []
    assert blocked >= 1  # the second process's steps waited for the pool
    spans = {pid: (min(i[0] for i in intervals if i[2] == pid), max(i[1] for i in intervals if i[2] == pid)) for pid in pids}
    (a0, a1), (b0, b1) = spans.values()
    assert a0 < b1 and b0 < a1  # the two refreshes really ran at the same time

    # Correct data: table by table what the refresh stores when it runs alone.
    assert changed(ref_hashes, content_hashes(warehouse)) == []
    loss = measure(expected_keys(), keys(warehouse))
    assert loss == Loss(0, 0)
    record("two refreshes at once", "two `python -m pipelines.refresh` processes started together on the same warehouse and DAGSTER_HOME",
           "both complete, no lock error; the second waits for the `duckdb` pool; data as from one run",
           "both exit 0, each having fetched the range or found it loaded by the other; pool waits logged; steps that "
           "open the warehouse never overlapped across the two processes; every table equals a single run's",
           loss.lost, loss.duplicated)

    # The reader: every successful read saw the whole batch or none of it.
    rows, days = len(expected_keys()), (END - START).days + 1
    partial = sum(n for state, n in reader.seen.items() if state not in {(0, 0), (rows, days)})
    assert partial == 0, reader.seen
    assert reader.seen[(rows, days)] >= 1 and sum(reader.seen.values()) >= 5
    record("read-only reader during the writes", "a `duckdb.connect(path, read_only=True)` loop (every 100 ms) while both processes write",
           "a read sees a batch completely or not at all; refused connections are the documented single-writer lock",
           f"every read saw (0 rows, 0 days) or ({rows} rows, {days} days), never in between; the other attempts were "
           "refused while a writer held the file (rows lost: reads that saw part of a batch)", partial, 0)


# -- killed in the middle of a write -------------------------------------------------------------------

PAUSE = '''
import pathlib, time
import assets.market.ingest as ingest
MARKER = pathlib.Path({marker!r})
def pause():
    MARKER.write_text("paused")
    time.sleep(60)  # the test kills the process long before
_run, _query = ingest.run, ingest.query
def run(conn, name, *args, **kwargs):
    _run(conn, name, *args, **kwargs)
    if {where!r} == "in_transaction" and name == "raw/upsert_share_prices.sql":
        pause()  # prices written, actions and coverage not yet, COMMIT not yet
    return None
def query(conn, name, *args, **kwargs):
    if {where!r} == "after_commit" and name == "raw/share_prices_count.sql":
        pause()  # COMMIT done, the connection still open: the batch is only in the WAL
    return _query(conn, name, *args, **kwargs)
ingest.run, ingest.query = run, query
'''


def kill_when_paused(env: dict, marker: Path, where: str, warehouse: Path) -> tuple[bool, str]:
    """Start a refresh that pauses at `where`, SIGKILL it there; return whether the WAL existed then, and its output."""
    child = start_refresh(env, prelude=PAUSE.format(marker=str(marker), where=where))
    deadline = time.monotonic() + 120
    while not marker.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            out, err = child.communicate()
            pytest.fail(f"the refresh never reached {where}:\n{out[-2000:]}\n{err[-4000:]}")
        time.sleep(0.05)
    wal = Path(str(warehouse) + ".wal").exists()
    child.kill()  # SIGKILL
    out, _ = child.communicate()
    assert child.returncode == -9
    marker.unlink()
    return wal, out


def test_killed_mid_write_keeps_the_last_good_data_and_the_next_run_completes(tmp_path, reference, monkeypatch, record):
    ref_path, ref_hashes = reference
    warehouse, home, marker = tmp_path / "perpetuum.duckdb", tmp_path / "home", tmp_path / "paused"
    copy_warehouse(ref_path, warehouse)
    # The last good state: the warehouse of a run to 2025-07-24 (its last week's prices and ledger removed).
    cut = date(2025, 7, 25)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("DELETE FROM raw.share_prices WHERE trade_date >= ?", [cut])
        conn.execute("DELETE FROM raw.share_price_coverage WHERE trade_date >= ?", [cut])
    good = table_hashes(warehouse)
    good_keys = set(keys(warehouse))
    env = refresh_env(home, warehouse, **RANGE)

    # 1. Killed inside the transaction, between two of its statements.
    kill_when_paused(env, marker, "in_transaction", warehouse)
    assert table_hashes(warehouse) == good  # opens; every byte of every table as before
    loss = measure(good_keys, keys(warehouse))
    assert loss == Loss(0, 0)
    record("SIGKILL inside a write transaction", "a refresh killed after it wrote the batch's prices, before its corporate actions, ledger and COMMIT",
           "the warehouse opens with the last good data: nothing of the batch", "every table's hash equals the state before the run",
           loss.lost, loss.duplicated)

    # 2. Killed after COMMIT, before the connection closed (the batch only in the WAL, not checkpointed).
    # This second refresh shares DAGSTER_HOME with the killed one, whose run still holds the `duckdb`
    # pool slot: it first marks that run failed and releases the slot, else it would wait forever.
    wal, out = kill_when_paused(env, marker, "after_commit", warehouse)
    assert wal
    assert len(re.findall(r"was interrupted: its process \(pid \d+\) no longer exists", out)) == 1, out
    after = table_hashes(warehouse)
    price_tables = {"raw.share_prices", "raw.share_price_coverage", "raw.corporate_actions"}
    assert {t for t in after if after[t] != good[t]} <= price_tables  # nothing downstream ran
    assert set(keys(warehouse)) == expected_keys()  # the whole committed batch, replayed from the WAL
    loss = measure(expected_keys(), keys(warehouse))
    assert loss == Loss(0, 0)
    record("SIGKILL after COMMIT, before checkpoint", "a refresh killed after committing the batch, with the batch only in the WAL",
           "the warehouse opens with the complete batch (WAL replayed), nothing downstream changed",
           "all keys of the batch present once; only the three price tables differ from before", loss.lost, loss.duplicated)

    # 3. The next refresh, same DAGSTER_HOME: the second killed run holds the `duckdb` pool slot.
    instance = open_instance(home, monkeypatch)
    stale = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
    assert len(stale) == 1
    started = time.monotonic()
    refresh(settings_for(warehouse), instance, simulate=False)  # the sim tables are the reference's already
    assert time.monotonic() - started < CHILD_TIMEOUT
    assert instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])) == []
    assert {r.status for r in stale for r in [instance.get_run_by_id(r.run_id)]} == {dg.DagsterRunStatus.FAILURE}
    assert missing_days(build_resources(settings_for(warehouse))["warehouse"], settings_for(warehouse)) == []
    assert changed(ref_hashes, content_hashes(warehouse)) == []
    loss = measure_tables(table_rows(ref_path), table_rows(warehouse))
    assert loss == Loss(0, 0)
    record("the runs after the kills", "a refresh with the same DAGSTER_HOME after each kill, while the killed run still holds the "
           "`duckdb` pool slot (limit 1)",
           "completes: the dead run is marked failed and its slot released (before the fix it waited forever); the data is complete",
           "each following refresh released 1 interrupted run; the last one completed and every table equals a single "
           "uninterrupted run's", 
           loss.lost, loss.duplicated)


# -- idempotency -----------------------------------------------------------------------------------------


def test_two_full_runs_are_identical_snapshot(tmp_path, reference, ephemeral_instance, record):
    ref_path, _ = reference
    warehouse = copy_warehouse(ref_path, tmp_path / "perpetuum.duckdb")
    first = table_hashes(warehouse)
    full_rerun(settings_for(warehouse), ephemeral_instance)
    assert table_hashes(warehouse) == first  # every byte, fetched_at included
    loss = measure(expected_keys(), keys(warehouse))
    assert loss == Loss(0, 0)
    record("two full runs (snapshot)", "the whole range fetched, stored and rebuilt a second time (prices, registry, SEC, marts, simulation)",
           "identical tables", f"all {len(first)} tables' hashes identical, fetched_at included", loss.lost, loss.duplicated)


def test_two_full_runs_are_identical_live_source(tmp_path, ephemeral_instance, record):
    # Yahoo on loopback (real snapshot prices, dividends and a split in its window); no simulation.
    first_day, last_day = date(2024, 6, 3), date(2024, 6, 16)  # NVDA's 10:1 split on 2024-06-10; ends on a Sunday
    prices = snapshot_prices(TICKERS, first_day, last_day)
    warehouse = tmp_path / "perpetuum.duckdb"
    with YahooReplay(prices, snapshot_actions(TICKERS)) as url:
        settings = Settings.from_env({
            "PERPETUUM_WAREHOUSE": str(warehouse), "PERPETUUM_REPORT_DIR": str(tmp_path / "reports"), "PERPETUUM_TICKERS": ",".join(TICKERS), "PERPETUUM_PRICE_SOURCE": "yahoo",
            "PERPETUUM_YAHOO_BASE_URL": url, "PERPETUUM_START_DATE": first_day.isoformat(), "PERPETUUM_END_DATE": last_day.isoformat()})
        refresh(settings, ephemeral_instance, simulate=False)
        first = table_hashes(warehouse)
        again = missing_days(build_resources(settings)["warehouse"], settings)
        assert [d.isoformat() for d in again] == ["2024-06-15", "2024-06-16"]  # after the last bar: asked again next time
        job = build_definitions(settings).resolve_job_def("daily_refresh")
        run_config = price_run_config(settings, refetch=True)  # every day of the month again
        assert job.execute_in_process(instance=ephemeral_instance, partition_key="2024-06", run_config=run_config).success
        assert table_hashes(warehouse) == first
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("SELECT value FROM raw.corporate_actions WHERE ticker = 'NVDA' AND action = 'split'").fetchall() == [(10.0,)]
    loss = measure(set(zip(prices["ticker"], prices["trade_date"])), keys(warehouse))
    assert loss == Loss(0, 0)
    record("two full runs (loopback Yahoo)", "the same range from Yahoo on 127.0.0.1 (NVDA's 10:1 split inside): a refresh, then a "
           "refetch of every partition and everything downstream", "identical tables",
           "every table's hash identical, fetched_at included (unchanged rows are not rewritten)", loss.lost, loss.duplicated)


# -- secrets and input safety ------------------------------------------------------------------------------

STOOQ_KEY = "sk-stooq-RELIABILITY-5e1f9c2a"
SEC_AGENT = "Reliability Probe sec-probe-81c2@example.org"


def test_secrets_never_reach_logs_or_metadata(tmp_path, monkeypatch, capfd, caplog, record):
    # In this process (every output captured at the file-descriptor level, every log record), with a
    # real SQLite instance from the project's dagster.yaml: the refresh's own code, minus the
    # simulation, whose inputs hold no secret.
    caplog.set_level("DEBUG")
    use_fast_sources(monkeypatch)  # production retry rules, short waits
    warehouse, home = tmp_path / "perpetuum.duckdb", tmp_path / "home"
    refresh_env(home, warehouse)  # DAGSTER_HOME with the project's dagster.yaml
    monkeypatch.setenv("PERPETUUM_STOOQ_API_KEY", STOOQ_KEY)
    monkeypatch.setenv("PERPETUUM_SEC_USER_AGENT", SEC_AGENT)
    instance = open_instance(home, monkeypatch)
    short = {"end_date": "2025-07-11"}
    # Stooq resets every NVDA connection (urllib3 logs each retry with the request URL, key included),
    # so NVDA falls back to Yahoo and the Stooq error lands in the fallback metadata.
    server = F.FaultServer(snapshot_prices(TICKERS, START, END), plan={"stooq:NVDA": F.connection_reset()}, lifetime=CHILD_TIMEOUT)
    with server as url:
        settings = settings_for(warehouse, **short, price_source="stooq,yahoo", stooq_base_url=url, yahoo_base_url=url,
                                stooq_api_key=STOOQ_KEY, sec_base_url=url, sec_user_agent=SEC_AGENT)
        refresh(settings, instance, simulate=False)
    out, err = capfd.readouterr()
    # The secrets were used: the key reached Stooq, the User-Agent reached the SEC.
    stooq = [h for h in server.hits if h.source == "stooq"]
    assert stooq and all(f"apikey={STOOQ_KEY}" in h.path for h in stooq)
    assert server.count("stooq", "NVDA") == 4 and server.count("yahoo", "NVDA") == 1
    sec = [h for h in server.hits if h.source == "sec"]
    assert sec and {h.headers.get("User-Agent") for h in sec} == {SEC_AGENT}

    texts = {"stdout": out, "stderr": err, "log records": "\n".join(r.getMessage() for r in caplog.records)}
    assert any("Retrying" in r.getMessage() and "apikey=***" in r.getMessage() for r in caplog.records)  # urllib3's, redacted
    runs = instance.get_runs()
    for run in runs:
        texts[f"run {run.run_id}"] = dg.serialize_value(run)
        texts[f"events {run.run_id}"] = "\n".join(dg.serialize_value(entry) for entry in instance.all_logs(run.run_id))
    materializations = [e for run in runs for e in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)]
    assert len(materializations) >= 20
    prices = next(e for e in materializations if e.dagster_event.asset_key == dg.AssetKey(["raw", "share_prices"]))
    assert "stooq: NVDA: connection failed" in str(prices.dagster_event.event_specific_data.materialization.metadata["fallbacks"].value)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]  # SQLite storage, compute logs, warehouse, report, logs
    assert any(p.suffix == ".db" for p in files) and warehouse in files
    email = SEC_AGENT.split()[-1]
    for secret in (STOOQ_KEY, SEC_AGENT, email):
        leaks = [name for name, text in texts.items() if secret in text]
        leaks += [str(p) for p in files if secret.encode() in p.read_bytes()]
        assert leaks == [], f"{secret!r} found in {leaks}"
    loss = measure(expected_keys(START, date(2025, 7, 11)), keys(warehouse))
    assert loss == Loss(0, 0)
    record("secrets in logs and metadata", "PERPETUUM_STOOQ_API_KEY and PERPETUUM_SEC_USER_AGENT set to distinctive values; a refresh "
           "with Stooq (resetting NVDA's connections, so its retries and errors are logged) and live SEC EDGAR, on 127.0.0.1",
           "both values are used, and appear in no output, log record, event, run record, materialization metadata or file",
           f"the key reached Stooq ({len(stooq)} requests), the User-Agent the SEC ({len(sec)} requests); found in none of stdout, "
           "stderr, the log records, the runs' records and events, and the files written (SQLite storage, compute logs, "
           "warehouse, report); urllib3's retry warnings show `apikey=***`", loss.lost, loss.duplicated)


@pytest.mark.parametrize("value", ["AMD;DROP TABLE raw.share_prices", "../../etc/passwd", "NVDA' OR '1'='1", "AMD&apikey=x"])
def test_identifiers_are_validated_before_sql_or_urls(value, tmp_path, record):
    with pytest.raises(SettingsError) as error:
        settings_for(tmp_path / "perpetuum.duckdb", tickers=value)
    assert str(error.value).startswith("PERPETUUM_TICKERS: invalid symbol(s)")
    assert not (tmp_path / "perpetuum.duckdb").exists()
    record("hostile ticker symbol", f"PERPETUUM_TICKERS=`{value}`", "refused at start-up, naming the variable; nothing opened",
           f"SettingsError `{str(error.value)}`; no warehouse file created", None, None)


def test_ui_binds_loopback_only(record):
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k != "MAKEFLAGS"} | {"PERPETUUM_UI_PORT": "3999"}
    dry = subprocess.run([make, "-n", "ui"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    commands = [line for line in dry.stdout.splitlines() if "dagster dev" in line]
    assert commands == [".venv/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3999"]
    assert not re.search(r"0\.0\.0\.0|::|--host(?! 127\.0\.0\.1)", commands[0])
    record("UI bind address", "`make -n ui` with PERPETUUM_UI_PORT=3999", "the Dagster UI binds 127.0.0.1 only",
           f"`{commands[0]}`", None, None)
