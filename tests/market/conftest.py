"""Shared fixtures for the live-source tests: a local HTTP server on 127.0.0.1 and fast sessions."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

ROOT = Path(__file__).resolve().parents[2]

from assets.http import make_session

FIXTURES = ROOT / "tests" / "fixtures" / "http"
SHORT_TIMEOUT = (1.0, 0.3)  # (connect, read) seconds, for the timeout tests


@pytest.fixture(scope="session")
def recorded():
    """`recorded(name)`: the text of a recorded response under tests/fixtures/http/."""
    return lambda name: (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def short_timeout() -> tuple[float, float]:
    return SHORT_TIMEOUT


@pytest.fixture
def base_url(httpserver: HTTPServer) -> str:
    return httpserver.url_for("").rstrip("/")


@pytest.fixture
def session() -> requests.Session:
    """The production session with a tiny backoff, so retry tests take milliseconds."""
    return make_session(backoff_factor=0.01, backoff_max=0.05)


@pytest.fixture
def hanging(httpserver: HTTPServer):
    """Register a handler that answers only after the client has given up (a read timeout).

    Returns `hang(uri, attempts)`. At teardown the handler is released and the test waits until the
    single-threaded server has served every queued attempt, so none leaks into the next test.
    """
    release = threading.Event()
    expected = []

    def handler(request: Request) -> Response:
        release.wait(10)
        return Response("too late", status=200)

    def hang(uri: str, attempts: int) -> None:
        expected.append(attempts)
        httpserver.expect_request(uri).respond_with_handler(handler)

    yield hang
    release.set()
    deadline = time.monotonic() + 10
    while len(httpserver.log) < sum(expected) and time.monotonic() < deadline:
        time.sleep(0.02)
