"""One configured `requests.Session` for every live source (no Dagster here).

Retries with exponential backoff on 429 and 5xx and on connection errors, honouring
`Retry-After` up to the backoff cap (a server asking for an hour must not stall a run for three);
a malformed `Retry-After` is ignored (the backoff applies) rather than failing the request.
Every request must pass an explicit (connect, read) timeout.
"""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

USER_AGENT = "perpetuum/0.1 (+https://github.com/perpetuum/perpetuum)"
TIMEOUT = (5.0, 30.0)  # seconds: (connect, read)
RETRY_STATUSES = (429, 500, 502, 503, 504)


class _Retry(Retry):
    """urllib3's Retry, except that an unparseable Retry-After (`soon`, a broken date) counts as absent."""

    def parse_retry_after(self, retry_after: str) -> float:
        try:
            return super().parse_retry_after(retry_after)
        except InvalidHeader:
            return 0.0  # no usable wait: the exponential backoff applies


def make_session(
    user_agent: str = USER_AGENT,
    total_retries: int = 3,
    backoff_factor: float = 0.5,
    backoff_max: float = 30.0,
) -> requests.Session:
    """A session that retries idempotent GETs on throttling, server errors and resets."""
    retry = _Retry(
        total=total_retries,
        connect=total_retries,
        read=total_retries,
        status=total_retries,
        backoff_factor=backoff_factor,
        backoff_max=backoff_max,
        backoff_jitter=backoff_factor / 2,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        retry_after_max=backoff_max,  # type: ignore[arg-type]  # urllib3 compares it as a number
        raise_on_status=False,
    )
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
