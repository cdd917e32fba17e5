"""The reliability tests record every case; when the whole folder ran and passed, docs/RELIABILITY.md
is written from that record at the end of the session (a partial run, `-k`, a single file or node
id, a failure or a skip leaves the document as it is, so it never shrinks or claims an unrun case).

Each test takes the `record` fixture and calls
`record(case, injected, expected, observed, rows_lost, rows_duplicated)` once per case, after its
assertions passed, with the rows lost and duplicated it measured (None where the case writes no
rows at all); `reliability_log` is the session-wide list behind it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pytest

from tests.reliability.reliability_testdata import DOC, Case, render

HERE = Path(__file__).resolve().parent

_state: dict = {"items": [], "deselected": False, "narrowed": False, "failed": False, "passed": set(), "cases": []}


def _mine(item: pytest.Item) -> bool:
    return Path(str(item.path)).resolve().is_relative_to(HERE)


def pytest_deselected(items):
    if any(_mine(item) for item in items):
        _state["deselected"] = True


def pytest_collection_finish(session: pytest.Session) -> None:
    _state["items"] = [item for item in session.items if _mine(item)]
    root = Path(session.config.invocation_params.dir)
    for arg in session.config.args:
        path_part, _, node = str(arg).partition("::")
        path = (root / path_part).resolve()
        if path.is_relative_to(HERE) and (path != HERE or node):
            _state["narrowed"] = True  # one file or one test of this folder
    modules = {Path(str(item.path)).name for item in _state["items"]}
    if not {p.name for p in HERE.glob("test_*.py")} <= modules:
        _state["narrowed"] = True  # a module was ignored or failed to collect


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed or report.skipped:
        _state["failed"] = True
    elif report.when == "call" and report.passed:
        _state["passed"].add(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus) -> None:
    items = _state["items"]
    complete = (
        items
        and not _state["deselected"]
        and not _state["narrowed"]
        and not _state["failed"]
        and {item.nodeid for item in items} == _state["passed"]
        and _state["cases"]
    )
    if complete:
        DOC.write_text(render(_state["cases"]), encoding="utf-8")


@pytest.fixture(scope="session")
def reliability_log() -> list[Case]:
    """Every case recorded in this session (docs/RELIABILITY.md is rendered from it)."""
    return _state["cases"]


@pytest.fixture
def record(request: pytest.FixtureRequest, reliability_log: list[Case]) -> Callable[..., None]:
    """record(case, injected, expected, observed, rows_lost, rows_duplicated) for the running test."""
    item = request.node
    group = Path(str(item.path)).stem
    index = next((i for i, it in enumerate(_state["items"]) if it.nodeid == item.nodeid), len(_state["items"]))
    count = [0]

    def add(case: str, injected: str, expected: str, observed: str, rows_lost: int | None, rows_duplicated: int | None) -> None:
        # None: the case writes no rows at all (a refused setting, a command line), so nothing can be lost
        assert all(v is None or isinstance(v, int) for v in (rows_lost, rows_duplicated))
        count[0] += 1
        reliability_log.append(Case(group, case, injected, expected, observed, rows_lost, rows_duplicated, (index, count[0])))

    return add


@pytest.fixture(scope="module")
def ephemeral_instance() -> dg.DagsterInstance:
    """An in-memory Dagster instance: real runs without SQLite writes (as tests/deals does)."""
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance
