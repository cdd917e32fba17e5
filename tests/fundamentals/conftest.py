"""Fixtures for the SEC assets and sensor: real Dagster runs into a temporary DuckDB file.

Live mode talks to a pytest-httpserver on 127.0.0.1 (see tests/conftest.py) that replays the real
SEC responses bundled in data/snapshot/sec and the SEC's error pages in tests/fixtures/sec.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pytest

from assets.fundamentals import SEC_RETRY_POLICY, SecResource, build_sec_assets
from assets.warehouse import WarehouseResource
from tests.fundamentals.sec_assets_testdata import CIKS, ENDPOINT_PATHS
from tests.sec.sec_testdata import FIXTURES_DIR, SNAPSHOT_DIR, USER_AGENT


@pytest.fixture
def instance() -> dg.DagsterInstance:
    with dg.instance_for_test() as inst:
        yield inst


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "perpetuum.duckdb"


@pytest.fixture
def reviews_file(tmp_path: Path) -> Path:
    """An empty candidate_reviews.csv (header only) the test may write to."""
    path = tmp_path / "candidate_reviews.csv"
    path.write_text("accession_number,status,note\n", encoding="utf-8")
    return path


@pytest.fixture
def offline_sec(reviews_file: Path) -> SecResource:
    """The default: bundled snapshot, every listed company of the real companies.csv."""
    return SecResource(reviews_file=str(reviews_file))


@pytest.fixture
def live_sec(httpserver, reviews_file: Path) -> Callable[..., SecResource]:
    """live_sec(*tickers, **fields): a live SecResource pointed at the loopback server."""

    def build(*tickers: str, **fields) -> SecResource:
        fields.setdefault("user_agent", USER_AGENT)
        return SecResource(
            base_url=httpserver.url_for("/").rstrip("/"),
            tickers=list(tickers) or None,
            reviews_file=str(reviews_file),
            **fields,
        )

    return build


@pytest.fixture
def serve_sec(httpserver) -> Callable[..., None]:
    """serve_sec(ticker, endpoint, file=None, *, status=200, body=None, content_type=...).

    `file` is a bundled real response (data/snapshot/sec) or an error page (tests/fixtures/sec).
    """

    def register(ticker: str, endpoint: str, file: str | None = None, *, status: int = 200, body: bytes | None = None,
                 content_type: str = "application/json") -> None:
        if body is None:
            folder = FIXTURES_DIR if (FIXTURES_DIR / file).is_file() else SNAPSHOT_DIR
            body = (folder / file).read_bytes()
        path = ENDPOINT_PATHS[endpoint].format(cik=CIKS[ticker])
        httpserver.expect_request(path, method="GET").respond_with_data(body, status=status, content_type=content_type)

    return register


@pytest.fixture
def run_sec(warehouse_path: Path, instance: dg.DagsterInstance) -> Callable[..., dg.ExecuteInProcessResult]:
    """run_sec(sec, selection=None, retries=False): materialize the SEC assets for real.

    retries=True keeps the production policy (3 retries, exponential backoff, jitter) minus its
    delay; execute_in_process ignores `retries: disabled`, so retries=False builds the assets
    without a policy.
    """
    instant = SEC_RETRY_POLICY._replace(delay=0)
    assets = {True: build_sec_assets(instant), False: build_sec_assets(None)}

    def run(sec: SecResource, selection=None, retries: bool = False) -> dg.ExecuteInProcessResult:
        return dg.materialize(
            assets[retries],
            resources={"warehouse": WarehouseResource(database=str(warehouse_path)), "sec": sec},
            instance=instance,
            selection=selection,
            raise_on_error=False,
        )

    return run

