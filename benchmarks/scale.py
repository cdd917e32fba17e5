"""Scale benchmark on SYNTHETIC data: 500 made-up tickers x 10 years of daily bars from loopback.

Nothing here is a real price. The tickers are SYN001..SYN500 and every bar comes from a geometric
Brownian motion drawn from a fixed seed (weekdays only, no holidays, no corporate actions). They
are served in Yahoo's v8 chart format by `IndexedYahooReplay` (tests/replay/yahoo.py) in a
separate server process on 127.0.0.1, so the server's work is neither in the measured process's
time nor in its peak RSS. The rows enter the warehouse through YahooSource, so their source is
"yahoo", as for any row fetched from that API.

Each case runs in its own process (peak RSS its own), in this order:

- bulk: the same rows bulk-inserted into a new DuckDB file (the ingest baseline);
- ingest: the project's ingest path `ingest_range` (HTTP, JSON, validation, one transaction);
- dagster full: `refresh` on a new warehouse and a new SQLite Dagster instance with
  PERPETUUM_TICKERS set to the 500 symbols: one run over every monthly partition, then downstream;
- incremental: the refresh the next day (one new weekday of bars) on that warehouse and
  instance: one run of the current month's partition fetches exactly that day, with what depends
  on it, then the report;
- http floor: the incremental run's 500 requests alone (JSON decoded, nothing else), the floor
  of any one-day refresh here;
- trivial: one no-op asset materialized in a new instance of the same type, three times (three
  processes); the median is the baseline of the incremental run.

The last line is the summary. Under 10 minutes on 2 cores.

    .venv/bin/python benchmarks/scale.py            # or: make bench
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_TICKERS = 500
YEARS = 10
TICKERS = [f"SYN{i:03d}" for i in range(1, N_TICKERS + 1)]
END = date(2026, 11, 19)  # a Thursday: the full run's last day, which has bars
START = END.replace(year=END.year - YEARS) + timedelta(days=1)  # 2016-11-20: 10 years of days
NEXT_DAY = END + timedelta(days=1)  # Friday 2026-11-20: the incremental run's one new day
SEED = 20261123
LOG_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
BUDGET_SECONDS = 570  # the whole benchmark; each case is also capped on its own
TRIVIAL_REPEATS = 3  # the trivial run's own processes; the median is the base of the incremental run
CASE_TIMEOUT = {"bulk": 60, "ingest": 120, "dagster_full": 420, "incremental": 120, "http_floor": 60, "trivial": 60}
PARTITION_TAGS = ("dagster/partition", "dagster/asset_partition_range_start")  # a run of price partitions has one
TAG = "synthetic"  # every printed line starts with it: none of these figures is about real prices


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_prices(tickers: list[str] = TICKERS, start: date = START, end: date = NEXT_DAY, seed: int = SEED) -> pl.DataFrame:
    """SYNTHETIC daily bars: per ticker a GBM close (random start 10..500 USD, drift, volatility),
    open = previous close x a small gap, high/low beyond max/min(open, close); weekdays only."""
    days = pl.date_range(start, end, "1d", eager=True)
    days = days.filter(days.dt.weekday() <= 5)
    n, t = len(tickers), len(days)
    rng = np.random.default_rng(seed)
    first = rng.uniform(10, 500, n)
    drift, vol = rng.normal(0.08, 0.1, n), rng.uniform(0.15, 0.6, n)
    dt = 1 / 252
    log_returns = ((drift - vol**2 / 2) * dt)[:, None] + (vol * np.sqrt(dt))[:, None] * rng.standard_normal((n, t))
    close = first[:, None] * np.exp(np.cumsum(log_returns, axis=1))
    previous = np.concatenate([first[:, None], close[:, :-1]], axis=1)
    open_ = previous * np.exp(rng.normal(0, 0.005, (n, t)))
    high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.008, (n, t))))
    low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.008, (n, t))))
    return pl.DataFrame(
        {
            "ticker": np.repeat(tickers, t),
            "trade_date": np.tile(days.to_numpy(), n),
            "open": open_.ravel(),
            "high": high.ravel(),
            "low": low.ravel(),
            "close": close.ravel(),
            "volume": rng.integers(100_000, 50_000_000, n * t),
            "currency": "USD",
        }
    )


# ---------------------------------------------------------------------------------------------
# the loopback server (its own process)


def serve() -> None:
    """Serve the synthetic bars on 127.0.0.1; print the base URL, stop when stdin closes."""
    from urllib.parse import urlencode

    from assets.market.sources.yahoo import _period_params
    from tests.replay.yahoo import IndexedYahooReplay, YahooReplay

    replay = IndexedYahooReplay(synthetic_prices())
    # The indexed answers must be YahooReplay's bytes: check a few tickers and windows.
    for symbol in (TICKERS[0], TICKERS[-1]):
        for first, last in ((START, END), (NEXT_DAY, NEXT_DAY), (END, NEXT_DAY + timedelta(days=3))):
            path = f"/v8/finance/chart/{symbol}?{urlencode(_period_params(first, last))}"
            assert replay.respond(path) == YahooReplay.respond(replay, path), (symbol, first, last)
    with replay as base_url:
        print(base_url, flush=True)
        sys.stdin.read()
    print(f"{TAG} loopback server answered {len(replay.requests)} requests", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# the cases (each in its own process)


def settings_for(folder: Path, base_url: str, end: date):
    from assets.settings import Settings

    env = {
        "PERPETUUM_WAREHOUSE": str(folder / "warehouse.duckdb"),
        "PERPETUUM_START_DATE": START.isoformat(),
        "PERPETUUM_END_DATE": end.isoformat(),
        "PERPETUUM_PRICE_SOURCE": "yahoo",
        "PERPETUUM_YAHOO_BASE_URL": base_url,
        "PERPETUUM_TICKERS": ",".join(TICKERS),
        # Keep the synthetic report and run-failure log out of the repository's reports/ and logs/.
        "PERPETUUM_REPORT_DIR": str(folder / "reports"),
        "PERPETUUM_LOG_DIR": str(folder / "logs"),
    }
    return Settings.from_env(env)


def instance_overrides() -> dict:
    """The project's instance settings (.dagster/dagster.yaml: op pools, run retries, freshness),
    with storage in the test instance's own folder: the instance type `make run` uses."""
    import yaml

    config = yaml.safe_load((ROOT / ".dagster/dagster.yaml").read_text())
    config.pop("storage", None)
    return config


def run_breakdown(instance, runs_before: int) -> dict:
    """Wall seconds of the runs launched after the first `runs_before` runs: the daily_refresh
    runs (price partitions and, in the last one, the tables rebuilt), the others (report), and
    the five slowest steps of them all."""
    import dagster as dg

    records = sorted(instance.get_run_records(), key=lambda r: r.create_timestamp)[runs_before:]
    refresh_runs = [r for r in records if r.dagster_run.job_name == "daily_refresh"]
    steps: dict[str, float] = {}
    for record in records:
        starts = {}
        for entry in instance.all_logs(record.dagster_run.run_id, of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS}):
            if entry.dagster_event.event_type == dg.DagsterEventType.STEP_START:
                starts[entry.step_key] = entry.timestamp
            elif entry.step_key in starts:
                steps[entry.step_key] = entry.timestamp - starts[entry.step_key]
    return {
        "price_runs": sum(any(t in r.dagster_run.tags for t in PARTITION_TAGS) for r in refresh_runs),
        "refresh_run_seconds": sum(r.end_time - r.start_time for r in refresh_runs),
        "other_run_seconds": sum(r.end_time - r.start_time for r in records if r not in refresh_runs),
        "slowest_steps": sorted(steps.items(), key=lambda kv: -kv[1])[:5],
    }


def case_bulk(folder: Path, base_url: str) -> dict:
    """Baseline: the same synthetic rows, already in memory, bulk-inserted into a new DuckDB file."""
    import duckdb

    rows = synthetic_prices().filter(pl.col("trade_date") <= END)  # the rows the ingest stores
    t0 = time.perf_counter()
    with duckdb.connect(str(folder / "bulk.duckdb")) as conn:
        conn.register("rows", rows)
        conn.execute("CREATE TABLE prices AS SELECT * FROM rows")
    return {"rows": rows.height, "seconds": time.perf_counter() - t0}


def case_ingest(folder: Path, base_url: str) -> dict:
    """The project's ingest path: YahooSource over HTTP, pandera validation, MERGE in one transaction."""
    from assets.market.ingest import ingest_range
    from assets.market.sources.yahoo import YahooSource
    from assets.warehouse import WarehouseResource

    warehouse = WarehouseResource(database=str(folder / "ingest.duckdb"))
    t0 = time.perf_counter()
    report = ingest_range(warehouse, [YahooSource(base_url)], TICKERS, START, END)
    seconds = time.perf_counter() - t0
    assert report.table_rows == report.prices.height and set(report.prices["source"]) == {"yahoo"}
    return {"rows": report.prices.height, "seconds": seconds}


def case_dagster_full(folder: Path, base_url: str) -> dict:
    """`refresh` on a new warehouse and instance: every monthly partition in one run, then downstream."""
    import dagster as dg

    from pipelines.refresh import refresh

    (folder / "dagster").mkdir()
    settings = settings_for(folder / "dagster", base_url, END)
    with dg.instance_for_test(overrides=instance_overrides(), temp_dir=str(folder / "dagster")) as instance:
        t0 = time.perf_counter()
        summary = refresh(settings, instance, simulate=False)
        seconds = time.perf_counter() - t0
        breakdown = run_breakdown(instance, 0)
    assert summary.height == N_TICKERS and summary["last_trade_date"].max() == END
    return {"rows": int(summary["rows"].sum()), "seconds": seconds, **breakdown}


def case_incremental(folder: Path, base_url: str) -> dict:
    """The refresh the next day on the full run's warehouse and instance: one new day, in one partition's run."""
    import dagster as dg

    from pipelines.refresh import missing_days, refresh
    from pipelines.resources import build_resources

    settings = settings_for(folder / "dagster", base_url, NEXT_DAY)
    missing = missing_days(build_resources(settings)["warehouse"], settings)
    assert missing == [NEXT_DAY], f"the next-day refresh would fetch {missing}, not only {NEXT_DAY}"
    with dg.instance_for_test(overrides=instance_overrides(), temp_dir=str(folder / "dagster")) as instance:
        runs_before = len(instance.get_run_records())
        t0 = time.perf_counter()
        summary = refresh(settings, instance, simulate=False)
        seconds = time.perf_counter() - t0
        breakdown = run_breakdown(instance, runs_before)
    assert breakdown["price_runs"] == 1 and summary["last_trade_date"].min() == NEXT_DAY
    return {"rows": N_TICKERS, "seconds": seconds, **breakdown}


def case_http_floor(folder: Path, base_url: str) -> dict:
    """The floor of any one-day refresh here: the incremental run's 500 requests alone (the same
    URLs through one requests.Session, JSON decoded), nothing parsed further, nothing stored."""
    from urllib.parse import urlencode

    import requests

    from assets.market.sources.yahoo import _period_params

    query = urlencode(_period_params(NEXT_DAY, NEXT_DAY))
    with requests.Session() as session:
        t0 = time.perf_counter()
        bars = sum(len(session.get(f"{base_url}/v8/finance/chart/{t}?{query}").json()["chart"]["result"][0]["timestamp"]) for t in TICKERS)
        seconds = time.perf_counter() - t0
    assert bars == 2 * N_TICKERS  # period1 starts a day early (`_period_params`): END's bar comes too
    return {"rows": bars, "seconds": seconds}


def case_trivial(folder: Path, base_url: str) -> dict:
    """Baseline: one no-op asset materialized in a new instance of the same type."""
    import dagster as dg

    @dg.asset
    def noop() -> None:
        return None

    home = tempfile.mkdtemp(prefix="trivial-", dir=folder)  # a new instance for each repeat
    with dg.instance_for_test(overrides=instance_overrides(), temp_dir=home) as instance:
        t0 = time.perf_counter()
        defs = dg.Definitions(assets=[noop], jobs=[dg.define_asset_job("trivial", selection=[noop])])
        result = defs.resolve_job_def("trivial").execute_in_process(instance=instance, run_config=LOG_CONFIG)
        seconds = time.perf_counter() - t0
    assert result.success
    return {"rows": 0, "seconds": seconds}


CASES = {
    "bulk": case_bulk,
    "ingest": case_ingest,
    "dagster_full": case_dagster_full,
    "incremental": case_incremental,
    "http_floor": case_http_floor,
    "trivial": case_trivial,
}


def child(name: str, folder: str, base_url: str) -> None:
    result = CASES[name](Path(folder), base_url)
    print(json.dumps({**result, "peak_rss_mb": peak_rss_mb()}))


# ---------------------------------------------------------------------------------------------


def main() -> None:
    started, load_at_start = time.perf_counter(), os.getloadavg()[0]
    server = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    results = {}
    try:
        base_url = server.stdout.readline().strip()
        if not base_url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the loopback server did not start (got {base_url!r})")
        print(f"{TAG} loopback yahoo replay of {N_TICKERS} tickers x {START}..{NEXT_DAY} at {base_url} "
              f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            for name in [*CASES, *["trivial"] * (TRIVIAL_REPEATS - 1)]:
                os.sync()  # the previous case's writes must not be flushed during this one
                left = BUDGET_SECONDS - (time.perf_counter() - started)
                limit = max(1.0, min(CASE_TIMEOUT[name], left))
                try:
                    out = subprocess.run(
                        [sys.executable, __file__, "--case", name, tmp, base_url], capture_output=True, text=True, timeout=limit
                    )
                except subprocess.TimeoutExpired:
                    raise RuntimeError(f"{TAG} case {name} did not finish within {limit:.0f} s (stopped)") from None
                if out.returncode:
                    sys.stderr.write(out.stdout[-3000:] + out.stderr[-5000:])
                    raise RuntimeError(f"{TAG} case {name} failed")
                result = json.loads(out.stdout.strip().splitlines()[-1])
                results.setdefault(name, []).append(result)
                print(f"{TAG} measured {name}: {result['seconds']:.2f} s", file=sys.stderr)
    finally:
        server.stdin.close()
        server.wait(timeout=30)

    trivial_runs = sorted(results["trivial"], key=lambda r: r["seconds"])
    results["trivial"] = [trivial_runs[len(trivial_runs) // 2]]  # the median: a sub-second baseline is noisy
    bulk, ingest, full, inc, floor, trivial = (results[n][0] for n in CASES)
    labels = {
        "bulk": ("duckdb bulk insert (base)", bulk),
        "ingest": ("ingest_range, loopback yahoo", ingest),
        "dagster_full": ("full dagster refresh", full),
        "incremental": ("incremental refresh (1 day)", inc),
        "http_floor": ("its 500 requests alone", floor),
        "trivial": ("trivial dagster run (base)", trivial),
    }
    print(f"{TAG} {'case':<30}{'rows':>11}{'seconds':>10}{'rows/s':>12}{'peak RSS MB':>13}{'x base':>9}")
    for name, (label, r) in labels.items():
        base = bulk if name in ("bulk", "ingest", "dagster_full") else trivial
        rate = f"{r['rows'] / r['seconds']:,.0f}" if r["rows"] and name not in ("incremental", "http_floor") else ""
        print(f"{TAG} {label:<30}{r['rows']:>11,}{r['seconds']:>10.2f}{rate:>12}{r['peak_rss_mb']:>13.0f}{r['seconds'] / base['seconds']:>9.2f}")
    for name, r in (("full", full), ("incremental", inc)):
        outside = r["seconds"] - r["refresh_run_seconds"] - r["other_run_seconds"]
        print(f"{TAG} {name} refresh {r['seconds']:.2f} s = daily_refresh run (prices, then the tables rebuilt) "
              f"{r['refresh_run_seconds']:.2f} s + report run {r['other_run_seconds']:.2f} s + outside the runs {outside:.2f} s "
              "(definitions, coverage and staleness queries, run creation with its planned events)")
        print(f"{TAG} {name} refresh, slowest steps: " + ", ".join(f"{step} {s:.2f} s" for step, s in r["slowest_steps"]))
    print(f"{TAG} trivial run, {TRIVIAL_REPEATS} processes: " + ", ".join(f"{r['seconds']:.2f} s" for r in trivial_runs) + " (the median is the base)")
    print(f"{TAG} floor of a one-day refresh: its requests alone + a trivial run = "
          f"{(floor['seconds'] + trivial['seconds']) / trivial['seconds']:.2f}x the trivial run")
    print(f"{TAG} total wall time {time.perf_counter() - started:.0f} s on {os.cpu_count()} CPUs; load average "
          f"(1 min) {load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (above ~0.5: other work shared the CPUs)")
    print(
        f"scale tickers={N_TICKERS} years={YEARS} rows={ingest['rows']} "
        f"ingest_rows_per_s={ingest['rows'] / ingest['seconds']:.0f} peak_rss_mb={ingest['peak_rss_mb']:.0f} "
        f"incremental_seconds={inc['seconds']:.2f} trivial_seconds={trivial['seconds']:.2f} "
        f"ratio_incremental_vs_trivial={inc['seconds'] / trivial['seconds']:.2f} data=synthetic"
    )


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--serve":
        serve()
    elif len(sys.argv) == 5 and sys.argv[1] == "--case":
        child(*sys.argv[2:])
    else:
        main()
