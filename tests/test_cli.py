"""`perpetuum`, the project's command, run as users run it: .venv/bin/perpetuum in a child process,
against a real warehouse that `perpetuum refresh` builds once for the module (2025-01-01..2026-10-16 on
the bundled snapshot, in its own DAGSTER_HOME), and `make help`."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.settings import PROJECT_ROOT, Settings
from pipelines.cli.catalog import tables as catalog_tables
from pipelines.definitions import build_definitions
from tests.integration.conftest import table_hashes
from tests.replay.yahoo import chart_json

PERPETUUM = Path(sys.executable).with_name("perpetuum")
COMMANDS = ("refresh", "simulate", "query", "status", "tables")
QUERIES = sorted(p.stem for p in (PROJECT_ROOT / "sql" / "queries").glob("*.sql"))


def perpetuum(env: dict[str, str], *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """The installed console script, with PERPETUUM_*/DAGSTER_HOME from `env` (and no inherited ones)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PERPETUUM_", "DAGSTER_HOME"))}
    return subprocess.run([str(PERPETUUM), *args], cwd=PROJECT_ROOT, env=base | env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("cli")
    return {"PERPETUUM_WAREHOUSE": str(folder / "perpetuum.duckdb"), "PERPETUUM_START_DATE": "2025-01-01", "PERPETUUM_END_DATE": "2026-10-16",
            "PERPETUUM_REPORT_DIR": str(folder / "reports"), "PERPETUUM_LOG_DIR": str(folder / "logs"),
            "DAGSTER_HOME": str(folder / "dagster_home")}


@pytest.fixture(scope="module")
def built(env) -> subprocess.CompletedProcess:
    """`perpetuum refresh` once: the warehouse every other test of the module reads."""
    done = perpetuum(env, "refresh")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def rows(env: dict[str, str], sql: str) -> pl.DataFrame:
    with duckdb.connect(env["PERPETUUM_WAREHOUSE"], read_only=True) as conn:
        return conn.sql(sql).pl()


# -- help, set-up, configuration -----------------------------------------------------------------


def test_the_setup_installs_the_command_and_every_level_has_help():
    assert PERPETUUM.is_file()
    top = perpetuum({}, "--help")
    assert top.returncode == 0, top.stderr
    listed = re.findall(r"^  (\w+)\s", top.stdout.split("Commands:")[1], re.MULTILINE)
    assert sorted(listed) == sorted(COMMANDS)
    assert "--debug" in top.stdout
    for command in COMMANDS:
        shown = perpetuum({}, command, "--help")
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.startswith(f"Usage: perpetuum {command}")
    assert "--full" in perpetuum({}, "refresh", "--help").stdout
    query_help = perpetuum({}, "query", "--help").stdout
    assert all(name in query_help for name in QUERIES)


def test_python_m_pipelines_refresh_is_the_same_command():
    done = subprocess.run([sys.executable, "-m", "pipelines.refresh", "--help"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.replace("Usage: python -m pipelines.refresh", "Usage: perpetuum refresh") == \
        perpetuum({}, "refresh", "--help").stdout


def test_make_help_lists_every_documented_target():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    documented = re.findall(r"^([a-z][a-z-]*):[^\n]*## ", makefile, re.MULTILINE)
    phony = set(re.search(r"^\.PHONY: (.*)$", makefile, re.MULTILINE).group(1).split())
    assert phony <= set(documented) and {"run", "test", "ui", "help"} <= set(documented)
    done = subprocess.run(["make", "--no-print-directory", "help"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [line.split()[1] for line in done.stdout.splitlines()] == documented


def test_make_ui_hides_dagsters_notes_about_its_own_api(tmp_path):
    """The PYTHONWARNINGS that `make ui` exports, on a Dagster command that warns without it."""
    value = re.search(r"^ui: export PYTHONWARNINGS \?= (\S+)$", (PROJECT_ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    command = [str(PERPETUUM.with_name("dagster")), "definitions", "validate", "-w", "workspace.yaml"]
    for warnings_, shown in (("default", True), (value, False)):
        done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONWARNINGS": warnings_, "DAGSTER_HOME": str(tmp_path)})
        assert done.returncode == 0, done.stderr[-3000:]
        assert ("SupersessionWarning" in done.stderr) is shown, done.stderr[-3000:]
        assert "BetaWarning" not in done.stderr or shown


def test_a_bad_setting_is_one_message_and_debug_shows_the_traceback(tmp_path):
    env = {"PERPETUUM_PRICE_SOURCE": "yahooo", "PERPETUUM_WAREHOUSE": str(tmp_path / "w.duckdb"),
           "DAGSTER_HOME": str(tmp_path / "home")}
    for command in (["refresh"], ["status"], ["query", "source_gaps"], ["tables"]):
        done = perpetuum(env, *command)
        assert done.returncode == 2, (command, done.stderr)
        assert done.stderr.strip() == ("configuration error: PERPETUUM_PRICE_SOURCE='yahooo': unknown source yahooo; "
                                       "use one of snapshot, yahoo, nasdaq, stooq or a comma-separated chain such as yahoo,nasdaq")
        assert done.stdout == ""
    debug = perpetuum(env, "--debug", "refresh")
    assert debug.returncode != 0
    assert "Traceback (most recent call last)" in debug.stderr and "SettingsError" in debug.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_before_the_first_run_the_read_commands_say_what_to_do(tmp_path):
    env = {"PERPETUUM_WAREHOUSE": str(tmp_path / "none.duckdb"), "DAGSTER_HOME": str(tmp_path / "home")}
    for command in (["query", "reactions_by_value_added"], ["status"]):
        done = perpetuum(env, *command)
        assert done.returncode == 1
        assert "run `make run` (or `perpetuum refresh`) first" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "none.duckdb").exists()  # a reader never creates the file


# -- refresh ----------------------------------------------------------------------------------------


def test_bad_data_from_a_source_is_one_message_and_debug_shows_the_traces(tmp_path, httpserver):
    """A source whose bars break the price schema (high below low): the step fails without retries."""
    bars = (pl.read_parquet(PROJECT_ROOT / "data" / "snapshot" / "prices.parquet")
            .filter((pl.col("ticker") == "NVDA") & pl.col("trade_date").is_between(date(2026, 5, 26), date(2026, 5, 29)))
            .with_columns(high=pl.col("low") / 2))
    httpserver.expect_request("/v8/finance/chart/NVDA").respond_with_json(chart_json("NVDA", bars))
    env = {"PERPETUUM_PRICE_SOURCE": "yahoo", "PERPETUUM_YAHOO_BASE_URL": httpserver.url_for("/").rstrip("/"),
           "PERPETUUM_TICKERS": "NVDA", "PERPETUUM_START_DATE": "2026-05-26", "PERPETUUM_END_DATE": "2026-05-29",
           "PERPETUUM_WAREHOUSE": str(tmp_path / "w.duckdb"), "PERPETUUM_LOG_DIR": str(tmp_path / "logs"),
           "PERPETUUM_REPORT_DIR": str(tmp_path / "reports"), "DAGSTER_HOME": str(tmp_path / "home")}
    done = perpetuum(env, "refresh")
    assert done.returncode == 1
    assert "refresh stopped; the failing step wrote nothing:" in done.stderr and "NVDA" in done.stderr
    assert "high >= max(open, close, low)" in done.stderr
    printed = done.stdout + done.stderr
    assert "Traceback" not in printed and "Stack Trace" not in printed and "Warning" not in printed
    assert "STEP_FAILURE" in printed  # Dagster's own line for the failed step stays, as one line
    assert "run_failures.log" in done.stderr

    debug = perpetuum(env, "--debug", "refresh")
    assert debug.returncode == 1
    assert "Stack Trace:" in debug.stdout + debug.stderr and "Traceback (most recent call last)" in debug.stderr



def test_refresh_builds_every_table_and_collapses_the_coverage_notes(env, built):
    settings = Settings.from_env(env)
    built_tables = set(rows(env, "SELECT schema_name || '.' || table_name AS t FROM duckdb_tables()")["t"])
    assert {t.name for t in catalog_tables(build_definitions(settings))} <= built_tables
    ends = rows(env, "SELECT ticker, max(trade_date) AS last FROM core.prices GROUP BY ticker")
    behind = ends.filter(pl.col("last") < pl.lit(settings.end_date).dt.offset_by("-4d"))
    notes = [line for line in built.stdout.splitlines() if re.match(r"^(\d+ tickers end|\S+ ends) on ", line)]
    # One line per end date (one reason: the snapshot), naming how many tickers and which.
    assert len(notes) == behind["last"].n_unique() >= 1
    for day, group in behind.group_by("last"):
        tickers = sorted(group["ticker"])
        expected = (f"{len(tickers)} tickers end on {day[0]} ({', '.join(tickers)})" if len(tickers) > 1
                    else f"{tickers[0]} ends on {day[0]}")
        assert any(n.startswith(expected + ": beyond the bundled snapshot's coverage; set PERPETUUM_PRICE_SOURCE")
                   for n in notes), (expected, notes)
    assert "skipped after" not in built.stdout
    assert "Warning" not in built.stderr  # the dependencies' Beta/Preview/Supersession warnings


# -- query ------------------------------------------------------------------------------------------


def test_a_documented_query_by_name_in_every_format(env, built, tmp_path):
    expected = rows(env, (PROJECT_ROOT / "sql" / "queries" / "reactions_by_value_added.sql").read_text())
    assert expected.height > 0
    as_csv = perpetuum(env, "query", "reactions_by_value_added", "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert list(parsed[0]) == expected.columns and len(parsed) == expected.height
    assert [r["deal_id"] for r in parsed] == expected["deal_id"].to_list()  # the query's own order

    as_json = perpetuum(env, "query", "reactions_by_value_added", "--format", "json")
    assert json.loads(as_json.stdout) == json.loads(expected.write_json())

    out = tmp_path / "exports" / "reactions.parquet"
    as_parquet = perpetuum(env, "query", "reactions_by_value_added", "--format", "parquet", "--out", str(out))
    assert as_parquet.returncode == 0, as_parquet.stderr
    assert f"wrote {expected.height} rows to {out}" in as_parquet.stderr
    assert pl.read_parquet(out).equals(expected)

    as_table = perpetuum(env, "query", "reactions_by_value_added")
    assert as_table.stdout.rstrip().endswith(f"{expected.height} rows")
    assert all(column in as_table.stdout for column in expected.columns)


def test_a_sql_file_and_ad_hoc_sql(env, built, tmp_path):
    question = tmp_path / "question.sql"
    question.write_text("SELECT ticker, count(*) AS bars FROM core.prices GROUP BY ticker ORDER BY ticker")
    expected = rows(env, question.read_text())
    from_file = perpetuum(env, "query", str(question), "--format", "csv")
    assert pl.read_csv(io.StringIO(from_file.stdout)).equals(expected)
    ad_hoc = perpetuum(env, "query", question.read_text(), "--format", "csv")
    assert ad_hoc.stdout == from_file.stdout


def test_queries_are_read_only_and_bad_input_is_a_message(env, built):
    before = table_hashes(Path(env["PERPETUUM_WAREHOUSE"]))
    for sql in ("CREATE TABLE main.x AS SELECT 1", "DELETE FROM core.prices", "DROP TABLE core.prices"):
        done = perpetuum(env, "query", sql)
        assert done.returncode == 1 and "read-only" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert table_hashes(Path(env["PERPETUUM_WAREHOUSE"])) == before

    # No extension is loaded or installed behind the user's back (httpfs would fetch from the network).
    remote = perpetuum(env, "query", "SELECT * FROM 'https://127.0.0.1:9/x.parquet'")
    assert remote.returncode == 1 and "Traceback" not in remote.stderr
    assert "httpfs" in remote.stderr

    unknown = perpetuum(env, "query", "reactions_by_value")
    assert unknown.returncode == 1 and all(name in unknown.stderr for name in QUERIES)
    parquet = perpetuum(env, "query", "source_gaps", "--format", "parquet")
    assert parquet.returncode == 1 and "--out" in parquet.stderr
    typo = perpetuum(env, "query", "SELEC 1")
    assert typo.returncode == 1 and "syntax error" in typo.stderr.lower() and "Traceback" not in typo.stderr


# -- status and tables --------------------------------------------------------------------------------


def test_status_shows_rows_last_built_data_as_of_and_the_checks(env, built, monkeypatch):
    done = perpetuum(env, "status")
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line and not line.startswith(" ")}
    settings = Settings.from_env(env)
    tables = catalog_tables(build_definitions(settings))
    monkeypatch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
    with dg.DagsterInstance.get() as instance:
        for table in tables:
            line = lines[table.name]
            count = rows(env, f"SELECT count(*) AS n FROM {table.name}")["n"][0]
            assert f" {count:,} " in line, line
            event = instance.get_latest_materialization_event(table.key)
            assert datetime.fromtimestamp(event.timestamp, UTC).strftime("%Y-%m-%d %H:%M") in line, line
            assert "stale" not in line and "never" not in line  # one refresh built everything together
        checks = [key for table in tables for key in table.checks]
        verdicts = [instance.get_latest_asset_check_evaluation_record(key) for key in checks]
    last_bar = rows(env, "SELECT max(trade_date) AS d FROM core.prices")["d"][0]
    assert f" {last_bar} " in lines["core.prices"]
    passed = sum(1 for v in verdicts if v.event.dagster_event.event_specific_data.passed)
    assert f"checks: {passed} passed, {len(checks) - passed} did not" in done.stdout
    # The bundled snapshot ends before today's session: the check says so, and the coverage note why.
    assert re.search(r"^  prices_are_current \(raw\.share_prices\): warning: \d+ of 12 tickers behind", done.stdout, re.MULTILINE)
    assert "beyond the bundled snapshot's coverage" in done.stdout
    assert "freshness policies:\n  raw/share_prices: " in done.stdout


def test_tables_lists_the_tables_and_describes_one_from_the_ui_descriptions(env, built):
    settings = Settings.from_env(env)
    tables = {t.name: t for t in catalog_tables(build_definitions(settings))}
    listed = perpetuum(env, "tables")
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()[:len(tables)]] == sorted(tables)

    done = perpetuum(env, "tables", "mart.deal_reactions")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    declared = tables["mart.deal_reactions"]
    assert declared.columns, "mart.deal_reactions declares its column schema"
    assert " ".join(declared.description.split()) in text
    warehouse_columns = rows(env, "SELECT column_name, data_type FROM duckdb_columns() "
                                  "WHERE schema_name = 'mart' AND table_name = 'deal_reactions'")
    for column in declared.columns:
        assert f"{column.name} " in text and " ".join(column.description.split()) in text
    for name, kind in warehouse_columns.iter_rows():
        assert f"{name} {kind}" in text
    assert perpetuum(env, "tables", "mart/deal_reactions").stdout == done.stdout

    unknown = perpetuum(env, "tables", "mart.reactions")
    assert unknown.returncode == 1 and "mart.deal_reactions" in unknown.stderr


# -- docs/RECIPES.md ----------------------------------------------------------------------------------


def recipes() -> list[tuple[str, str]]:
    """(language, code) of every fenced block of docs/RECIPES.md."""
    text = (PROJECT_ROOT / "docs" / "RECIPES.md").read_text()
    return re.findall(r"^```(python|sh)\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def test_every_recipe_runs_against_the_warehouse(env, built, tmp_path):
    blocks = recipes()
    assert {language for language, _ in blocks} == {"python", "sh"} and len(blocks) >= 4
    path = f"{PERPETUUM.parent}{os.pathsep}{os.environ['PATH']}"
    for language, code in blocks:
        command = ["bash", "-euo", "pipefail", "-c", code] if language == "sh" else [sys.executable, "-c", code]
        done = subprocess.run(command, cwd=tmp_path, env={**os.environ, **env, "PATH": path},
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{code}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        assert "Traceback" not in done.stderr
        for out in re.findall(r"(?:--out|>) (\S+)", code):
            assert (tmp_path / out).stat().st_size > 0, out
    assert pl.read_csv(tmp_path / "exports" / "reactions.csv").height == rows(
        env, (PROJECT_ROOT / "sql" / "queries" / "reactions_by_value_added.sql").read_text()).height
    used = rows(env, "SELECT parameter, value FROM sim.scenario_inputs WHERE scenario = 'bear'")
    assert dict(used.iter_rows())["delay_mean_months"] == 9.0 and dict(used.iter_rows())["n_paths"] == 2000
