"""Helpers of the reliability tests: table contents, rows lost and duplicated, the case recorder and
the docs/RELIABILITY.md writer. (A uniquely named module: `conftest` is ambiguous across folders.)"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from assets.settings import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "RELIABILITY.md"
SNAPSHOT = PROJECT_ROOT / "data" / "snapshot"
# Columns that say *when* a row was written, not what it holds: two correct runs differ in them.
VOLATILE = ("fetched_at", "first_seen_at")
PRICE_KEY = ("ticker", "trade_date")


# -- table contents -------------------------------------------------------------------------------


def tables(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute("SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL").fetchall()
    return [f"{schema}.{table}" for schema, table in rows]


def table_rows(warehouse: Path, drop: Iterable[str] = VOLATILE) -> dict[str, Counter]:
    """Every table as a multiset of its rows (repr of each tuple), without the `drop` columns."""
    drop = set(drop)
    out: dict[str, Counter] = {}
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        for schema, table in conn.execute("SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL").fetchall():
            columns = [c for (c,) in conn.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
                [schema, table]).fetchall() if c not in drop]
            select = ", ".join(f'"{c}"' for c in columns)
            out[f"{schema}.{table}"] = Counter(map(repr, conn.execute(f'SELECT {select} FROM "{schema}"."{table}"').fetchall()))
    return out


def content_hashes(warehouse: Path, drop: Iterable[str] = VOLATILE) -> dict[str, str]:
    """Like table_hashes, without the columns that only record when a row was written."""
    return {
        name: hashlib.sha256("\n".join(sorted(rows.elements())).encode()).hexdigest()
        for name, rows in table_rows(warehouse, drop).items()
    }


def changed(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


def keys(warehouse: Path, table: str = "raw.share_prices", key: Iterable[str] = PRICE_KEY) -> list[tuple]:
    """The key of every row (with repeats, so duplicates can be counted)."""
    columns = ", ".join(key)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(f"SELECT {columns} FROM {table}").fetchall()


@dataclass(frozen=True)
class Loss:
    """Rows of the expected key set that are not stored, and stored rows beyond one per key."""

    lost: int
    duplicated: int


def measure(expected: Iterable[tuple], stored: Iterable[tuple]) -> Loss:
    """Compare the keys that should be stored with the keys that are (repeats counted)."""
    expected_set = set(expected)
    counts = Counter(stored)
    lost = len(expected_set - set(counts))
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    return Loss(lost, duplicated)


def measure_tables(expected: Mapping[str, Counter], observed: Mapping[str, Counter]) -> Loss:
    """Rows (whole rows, multisets) of the expected state missing or repeated in the observed one."""
    lost = duplicated = 0
    for name in set(expected) | set(observed):
        want, have = expected.get(name, Counter()), observed.get(name, Counter())
        lost += sum((want - have).values())
        duplicated += sum(n - want[row] for row, n in have.items() if row in want and n > want[row])
    return Loss(lost, duplicated)


def copy_warehouse(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def snapshot_prices(tickers: Iterable[str], first: date, last: date) -> pl.DataFrame:
    return pl.read_parquet(SNAPSHOT / "prices.parquet").filter(
        pl.col("ticker").is_in(list(tickers)), pl.col("trade_date").is_between(first, last)
    )


def snapshot_actions(tickers: Iterable[str]) -> pl.DataFrame:
    return pl.read_csv(SNAPSHOT / "corporate_actions.csv", try_parse_dates=True).filter(pl.col("ticker").is_in(list(tickers)))


# -- fast retries -----------------------------------------------------------------------------------

FAST_TIMEOUT = (1.0, 0.5)  # (connect, read) seconds


def use_fast_sources(monkeypatch) -> None:
    """The price-source resource builds its sources with a fast-backoff session (0.01 s, cap 0.05 s)
    and a 0.5 s read timeout; the asset's RetryPolicy keeps its 3 retries without the 10 s delay.
    Retry counts, retried statuses and Retry-After handling are the production ones."""
    import assets.market.assets as market_assets
    import assets.market.resource as market_resource
    from assets.http import make_session

    for name in ("YahooSource", "NasdaqSource", "StooqSource"):
        cls = getattr(market_resource, name)
        cls = getattr(cls, "_production", cls)

        class Fast(cls):
            _production = cls

            def __init__(self, *args, **kwargs):
                kwargs.setdefault("session", make_session(backoff_factor=0.01, backoff_max=0.05))
                kwargs.setdefault("timeout", FAST_TIMEOUT)
                super().__init__(*args, **kwargs)

        Fast.__name__ = Fast.__qualname__ = name
        monkeypatch.setattr(market_resource, name, Fast)
    monkeypatch.setattr(market_assets, "HTTP_RETRY_POLICY", market_assets.HTTP_RETRY_POLICY._replace(delay=0))


# -- subprocess runs -------------------------------------------------------------------------------


def refresh_env(home: Path, warehouse: Path, **perpetuum: str) -> dict[str, str]:
    """The environment of a `python -m pipelines.refresh` child: its own DAGSTER_HOME (with the
    project's dagster.yaml), warehouse and log folder, loopback only."""
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(PROJECT_ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERPETUUM_") and k.lower() not in
           ("http_proxy", "https_proxy", "all_proxy")}
    env |= {
        "DAGSTER_HOME": str(home),
        "PERPETUUM_WAREHOUSE": str(warehouse),
        "PERPETUUM_LOG_DIR": str(home / "logs"),
        "PERPETUUM_REPORT_DIR": str(home / "reports"),
        "NO_PROXY": "127.0.0.1,localhost",
        "PYTHONPATH": str(PROJECT_ROOT),
        "PYTHONWARNINGS": "ignore",
    }
    env |= {f"PERPETUUM_{k.upper()}": v for k, v in perpetuum.items()}
    return env


def start_refresh(env: Mapping[str, str], *, args: Iterable[str] = (), prelude: str | None = None,
                  wrap: Iterable[str] = ()) -> subprocess.Popen:
    """`python -m pipelines.refresh` as a child process (stdout and stderr captured).

    `prelude`: Python run in the child before the refresh module (the crash tests use it to pause
    inside a transaction); the refresh then runs exactly as `python -m pipelines.refresh` would.
    `wrap`: a command prefix the refresh runs under (e.g. `unshare --mount ... sh -c '...' sh`)."""
    if prelude is None:
        command = [sys.executable, "-m", "pipelines.refresh", *args]
    else:
        run_module = "import runpy, sys; sys.argv = ['pipelines.refresh', *sys.argv[1:]]; runpy.run_module('pipelines.refresh', run_name='__main__', alter_sys=True)"
        command = [sys.executable, "-c", prelude + "\n" + run_module, *args]
    return subprocess.Popen([*wrap, *command], cwd=PROJECT_ROOT, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# -- the record of cases and docs/RELIABILITY.md ----------------------------------------------------


@dataclass
class Case:
    group: str
    case: str
    injected: str
    expected: str
    observed: str
    rows_lost: int | None  # None: the case writes no rows (shown as "–", counted as 0)
    rows_duplicated: int | None
    order: tuple = ()


GROUPS = {
    "test_faults": "Faults of the live sources (fault-injection server on 127.0.0.1; the real refresh, or its ingest_range)",
    "test_concurrency": "Concurrency, crash safety, idempotency, secrets",
    "test_registry_cases": "Bad registry edits (the case table of tests/deals/test_registry_problems.py)",
    "test_parser_properties": "Hostile bodies for every parser (property-based: hypothesis, and one case per class)",
    "test_warehouse_open": "A warehouse file that cannot be trusted or used (`python -m pipelines.refresh` on it)",
    "test_consistency": "A run that fails part-way: the build ledger and the summary",
}
FUZZ_COUNTS = Path(__file__).with_name("fuzz_counts.json")


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _n(value: int | None) -> str:
    return "–" if value is None else str(value)


FUZZ_HEADING = "## Fuzzing the parsers"


def rewrite_fuzzing_section() -> None:
    """Replace the fuzzing section of docs/RELIABILITY.md with the counts in fuzz_counts.json
    (run by `python -m tests.reliability.parser_fuzz` after it writes them); the cases stay."""
    text = DOC.read_text(encoding="utf-8")
    start = text.find(FUZZ_HEADING)
    if start == -1:  # a document rendered before the section existed: it goes before the case tables
        start = end = text.find("\n## ") + 1
    else:
        end = text.find("\n## ", start + len(FUZZ_HEADING)) + 1
    section = "\n".join(_fuzzing()[1:]) + "\n\n"
    DOC.write_text(text[:start] + section + (text[end:] if end > 0 else ""), encoding="utf-8")


def _fuzzing() -> list[str]:
    """The fuzzing budget in the suite and the counts of the last run outside it (fuzz_counts.json,
    written by `python -m tests.reliability.parser_fuzz`)."""
    from tests.reliability.test_parser_properties import IN_SUITE_EXAMPLES

    lines = [
        "",
        FUZZ_HEADING,
        "",
        f"In the suite: {IN_SUITE_EXAMPLES} generated bodies per source (hypothesis, derandomized, no deadline), built from",
        "the recorded real answers in tests/fixtures/http and data/snapshot/sec; see tests/reliability/parser_fuzz.py.",
        "Each body is served on 127.0.0.1 to the production client and parser, then validated as the ingest",
        "validates before it writes. *Valid*: the batch passed (what would be stored); *clean error*: the",
        "source's own error (SourceError, SecError) or ValidationFailed naming the source and the ticker or CIK;",
        "*crash*: anything else.",
    ]
    if not FUZZ_COUNTS.exists():
        return lines + ["", "No run outside the suite is recorded yet."]
    run = json.loads(FUZZ_COUNTS.read_text(encoding="utf-8"))
    lines += [
        "",
        f"Outside the suite, run on {run['run_on']} with `{run['command']}`:",
        "",
        "| source | payloads | crashes | clean errors | valid | non-finite stored | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for source, r in run["sources"].items():
        lines.append(f"| {source} | {r['payloads']} | {r['crashes']} | {r['clean errors']} | {r['valid']} | {r['non-finite stored']} | {r['seconds']} |")
    return lines


def render(cases: list[Case]) -> str:
    cases = sorted(cases, key=lambda c: c.order)
    lost = sum(c.rows_lost or 0 for c in cases)
    duplicated = sum(c.rows_duplicated or 0 for c in cases)
    lines = [
        "# Reliability",
        "",
        "Generated by `pytest tests/reliability` (part of `make test`) from the cases it ran: do not edit",
        "by hand. Each row is one test case: what was injected, what the test expects, and what it",
        "observed and asserted. *Rows lost* and *rows duplicated* are measured after the case by",
        "comparing the keys (or whole rows) that should be stored with those that are: a clear failure",
        "must leave every table as it was (a hash per table is compared before and after), a recovered",
        "fault must leave exactly what a fault-free run stores.",
        "",
        "The live sources are served by `tests/replay/faults.py` on 127.0.0.1 from the bundled snapshot's",
        "real prices; splits injected there are synthetic and labelled so. No test contacts another host.",
        "Faults whose observation starts with *ingest_range* ran through the price ingest the asset calls",
        "(fetch, validation, one transaction) with a fast-retry session; the others through the whole",
        "refresh (`pipelines.refresh.refresh`) or `python -m pipelines.refresh`. \"–\": the case writes no rows.",
        "",
        f"**{len(cases)} cases, {lost} rows lost, {duplicated} rows duplicated.**",
        "",
        "| group | cases | rows lost | rows duplicated |",
        "| --- | ---: | ---: | ---: |",
    ]
    for group, title in GROUPS.items():
        members = [c for c in cases if c.group == group]
        if members:
            lines.append(f"| {title} | {len(members)} | {sum(c.rows_lost or 0 for c in members)} | {sum(c.rows_duplicated or 0 for c in members)} |")
    lines.append(f"| **total** | **{len(cases)}** | **{lost}** | **{duplicated}** |")
    lines += _fuzzing()
    number = 0
    for group, title in GROUPS.items():
        members = [c for c in cases if c.group == group]
        if not members:
            continue
        lines += ["", f"## {title}", "", "| # | case | injected | expected | observed | rows lost | rows duplicated |",
                  "| ---: | --- | --- | --- | --- | ---: | ---: |"]
        for c in members:
            number += 1
            lines.append(
                f"| {number} | {_cell(c.case)} | {_cell(c.injected)} | {_cell(c.expected)} | {_cell(c.observed)} "
                f"| {_n(c.rows_lost)} | {_n(c.rows_duplicated)} |"
            )
    return "\n".join(lines) + "\n"
