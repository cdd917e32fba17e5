"""Ingest benchmark: 12 tickers x ~6 years of real prices, from the snapshot and from a loopback Yahoo.

Each case runs in its own process (so peak RSS is its own) and is compared with a plain DuckDB bulk
insert of the same rows measured in the same run. Prints rows/s, peak RSS and the ratio.

    .venv/bin/python benchmarks/ingest.py            # or: make bench
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

START, END = date(2020, 1, 1), date(2026, 5, 29)
TICKERS = ["NVDA", "AMD", "ORCL", "MSFT", "AVGO", "AMZN", "INTC", "META", "CRWV", "9984.T", "SPY", "QQQ"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def case_bulk_insert(folder: Path) -> dict:
    """Baseline: read the snapshot and bulk-insert it into DuckDB, no validation or bookkeeping."""
    import duckdb
    import polars as pl

    t0 = time.perf_counter()
    rows = pl.read_parquet(ROOT / "data/snapshot/prices.parquet")
    with duckdb.connect(str(folder / "bulk.duckdb")) as conn:
        conn.register("rows", rows)
        conn.execute("CREATE TABLE prices AS SELECT * FROM rows")
    return {"rows": rows.height, "seconds": time.perf_counter() - t0}


def case_pipeline(folder: Path, source: str) -> dict:
    """The project's ingest path: fetch through the chain, pandera validation, one transaction."""
    import polars as pl

    from assets.market.ingest import ingest_range
    from assets.market.sources.snapshot import SnapshotSource
    from assets.market.sources.yahoo import YahooSource
    from assets.warehouse import WarehouseResource
    from tests.replay.yahoo import YahooReplay

    snapshot = SnapshotSource(ROOT / "data/snapshot")
    warehouse = WarehouseResource(database=str(folder / f"{source}.duckdb"))
    if source == "snapshot":
        t0 = time.perf_counter()
        report = ingest_range(warehouse, [snapshot], TICKERS, START, END)
    else:
        replay = YahooReplay(pl.read_parquet(ROOT / "data/snapshot/prices.parquet"))
        with replay as base_url:
            t0 = time.perf_counter()
            report = ingest_range(warehouse, [YahooSource(base_url)], TICKERS, START, END)
    return {"rows": report.prices.height, "seconds": time.perf_counter() - t0}


def case_dagster(folder: Path) -> dict:
    """The whole refresh as `make run` does it: one Dagster run over every daily partition,
    recorded in a SQLite-backed instance (each partition is a materialization event)."""
    import dagster as dg

    from assets.settings import Settings
    from pipelines.refresh import refresh

    env = {"PERPETUUM_WAREHOUSE": str(folder / "dagster.duckdb"), "PERPETUUM_START_DATE": START.isoformat(),
           "PERPETUUM_END_DATE": END.isoformat()}
    with dg.instance_for_test(temp_dir=str(folder)) as instance:
        t0 = time.perf_counter()
        summary = refresh(Settings.from_env(env), instance)
    return {"rows": int(summary["rows"].sum()), "seconds": time.perf_counter() - t0}


def child(name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = {"bulk": case_bulk_insert, "dagster": case_dagster}
        result = cases[name](folder) if name in cases else case_pipeline(folder, name)
    print(json.dumps({**result, "peak_rss_mb": peak_rss_mb()}))


def main() -> None:
    results = {}
    for name in ("bulk", "snapshot", "yahoo", "dagster"):
        out = subprocess.run([sys.executable, __file__, "--case", name], capture_output=True, text=True, check=True)
        print(f"measured {name}", file=sys.stderr)
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    base = results["bulk"]
    print(f"{'case':<28}{'rows':>8}{'seconds':>10}{'rows/s':>12}{'peak RSS MB':>13}{'x bulk time':>13}")
    labels = {
        "bulk": "duckdb bulk insert (base)",
        "snapshot": "ingest from snapshot",
        "yahoo": "ingest from loopback yahoo",
        "dagster": "full dagster refresh",
    }
    for name, r in results.items():
        ratio = r["seconds"] / base["seconds"]
        print(f"{labels[name]:<28}{r['rows']:>8}{r['seconds']:>10.3f}{r['rows'] / r['seconds']:>12,.0f}{r['peak_rss_mb']:>13.0f}{ratio:>13.2f}")
    s, y = results["snapshot"], results["yahoo"]
    print(
        f"ingest rows={s['rows']} snapshot_rows_per_s={s['rows'] / s['seconds']:.0f} "
        f"yahoo_rows_per_s={y['rows'] / y['seconds']:.0f} ratio_snapshot_vs_bulk={s['seconds'] / base['seconds']:.2f} "
        f"ratio_yahoo_vs_bulk={y['seconds'] / base['seconds']:.2f} "
        f"dagster_refresh_seconds={results['dagster']['seconds']:.1f}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        child(sys.argv[2])
    else:
        main()
