"""Fixtures for the SEC tests: a loopback HTTP server replaying the real SEC files.

The JSON bodies are the real responses bundled in data/snapshot/sec (see its manifest.csv); the
error bodies are in tests/fixtures/sec. Nothing here reaches a host other than 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assets.http import make_session
from assets.sec import SecClient, SnapshotSec
from sec_testdata import FIXTURES_DIR, SNAPSHOT_DIR, USER_AGENT


@pytest.fixture
def user_agent() -> str:
    return USER_AGENT


@pytest.fixture
def snapshot() -> SnapshotSec:
    return SnapshotSec(SNAPSHOT_DIR)


@pytest.fixture
def snapshot_bytes() -> Callable[[str], bytes]:
    """The bytes of a bundled real SEC response, by file name."""
    return lambda name: (SNAPSHOT_DIR / name).read_bytes()


@pytest.fixture
def fixture_bytes() -> Callable[[str], bytes]:
    return lambda name: (FIXTURES_DIR / name).read_bytes()


@pytest.fixture
def make_client(httpserver) -> Callable[..., SecClient]:
    """A SecClient pointed at the loopback server; one quick retry so a 5xx test stays fast."""

    def build(**kwargs) -> SecClient:
        kwargs.setdefault("session", make_session(user_agent=USER_AGENT, total_retries=1, backoff_factor=0.0))
        return SecClient(httpserver.url_for("/").rstrip("/"), user_agent=USER_AGENT, **kwargs)

    return build


@pytest.fixture
def serve(httpserver) -> Callable[..., None]:
    """serve(path, body, status=200, content_type="application/json", headers=None)."""

    def register(path: str, body: bytes, status: int = 200, content_type: str = "application/json", headers=None):
        httpserver.expect_request(path, method="GET").respond_with_data(
            body, status=status, content_type=content_type, headers=headers
        )

    return register
