"""Live SEC EDGAR JSON client for `data.sec.gov` (no Dagster here).

The SEC's fair-access rules: at most 10 requests per second, and a User-Agent that declares who
is asking with a contact e-mail ("Name contact@example.com"). Both are enforced by the SEC's edge,
which answers a breach with HTTP 403 and an HTML page titled "SEC.gov | Request Rate Threshold
Exceeded" and then blocks the address for about ten minutes. So the client spaces its requests
(`RateLimiter`), requires a User-Agent, does not retry a 403 (that would only prolong the block) and
turns every failure into a `SecError` that says what happened — without ever quoting the
User-Agent, which carries the operator's e-mail.

Retries on 429/5xx and on connection errors come from `assets.http.make_session`; those retries
happen inside the transport and are not spaced by the limiter (they back off by ≥ 0.5 s anyway).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

import requests

from assets.http import TIMEOUT, BodyRejected, decode_json, get_bounded, make_session
from assets.sec.base import SecError, cik10

DEFAULT_BASE_URL = "https://data.sec.gov"
SEC_MAX_RPS = 10.0

_THROTTLE_MARKERS = ("request rate threshold exceeded", "undeclared automated tool")
_EMAIL_RE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAXONOMY_RE = re.compile(r"[a-z][a-z0-9-]{0,31}")
_TAG_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,199}")


class RateLimiter:
    """Spaces calls at least `1 / max_rps` seconds apart on a monotonic clock (thread-safe)."""

    def __init__(
        self,
        max_rps: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not max_rps > 0:
            raise ValueError("max_rps must be > 0")
        self.interval = 1.0 / float(max_rps)
        self._clock = clock
        self._sleep = sleep
        self._next_allowed: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until the next call may start; returns the seconds slept."""
        with self._lock:  # sleeping under the lock keeps concurrent callers in single file
            now = self._clock()
            slept = 0.0
            if self._next_allowed is not None and now < self._next_allowed:
                slept = self._next_allowed - now
                self._sleep(slept)
                now = self._next_allowed
            self._next_allowed = now + self.interval
            return slept


class SecClient:
    """companyfacts, submissions and companyconcept JSON for one CIK, as dicts.

    `user_agent` is required and must name the operator and a contact e-mail, e.g.
    "Perpetuum Research contact@example.com"; it is sent on every request and never appears in
    an error message or in `repr`. `base_url` is configurable for mirrors, proxies and tests.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        user_agent: str,
        session: requests.Session | None = None,
        max_rps: float = SEC_MAX_RPS,
        timeout: tuple[float, float] = TIMEOUT,
        rate_limiter: RateLimiter | None = None,
    ):
        if not isinstance(user_agent, str) or not valid_user_agent(user_agent):
            raise ValueError(
                "user_agent must name the operator and give a contact e-mail, "
                "e.g. 'Perpetuum Research ops@your-domain.org' (the SEC refuses anything else)"
            )
        if not 0 < max_rps <= SEC_MAX_RPS:
            raise ValueError(f"max_rps must be in (0, {SEC_MAX_RPS:g}]: the SEC allows 10 requests/second")
        base = base_url.rstrip("/")
        if not base.startswith(("https://", "http://")):
            raise ValueError("base_url must start with https:// or http://")
        self.base_url = base
        self._user_agent = user_agent
        self._session = session if session is not None else make_session(user_agent=user_agent)
        self._timeout = timeout
        self._limiter = rate_limiter if rate_limiter is not None else RateLimiter(max_rps)

    def __repr__(self) -> str:
        return f"SecClient(base_url={self.base_url!r}, user_agent=<hidden>)"

    # -- endpoints ---------------------------------------------------------------------------

    def company_facts(self, cik: str) -> dict:
        """GET {base}/api/xbrl/companyfacts/CIK##########.json — every XBRL fact of a company."""
        c = cik10(cik, "companyfacts")
        return self._get_json(c, "companyfacts", f"/api/xbrl/companyfacts/CIK{c}.json", "facts")

    def submissions(self, cik: str) -> dict:
        """GET {base}/submissions/CIK##########.json — company metadata and its recent filings."""
        c = cik10(cik, "submissions")
        return self._get_json(c, "submissions", f"/submissions/CIK{c}.json", "filings")

    def company_concept(self, cik: str, taxonomy: str, tag: str) -> dict:
        """GET {base}/api/xbrl/companyconcept/CIK##########/{taxonomy}/{tag}.json — one concept."""
        endpoint = "companyconcept"
        c = cik10(cik, endpoint)
        if not (isinstance(taxonomy, str) and _TAXONOMY_RE.fullmatch(taxonomy)):
            raise SecError(c, endpoint, "invalid taxonomy (expected e.g. 'us-gaap' or 'dei')", "invalid_argument")
        if not (isinstance(tag, str) and _TAG_RE.fullmatch(tag)):
            raise SecError(c, endpoint, "invalid tag (expected an XBRL element name)", "invalid_argument")
        path = f"/api/xbrl/companyconcept/CIK{c}/{taxonomy}/{tag}.json"
        return self._get_json(c, f"{endpoint} {taxonomy}:{tag}", path, "units")

    # -- plumbing ----------------------------------------------------------------------------

    def _error(self, cik: str, endpoint: str, reason: str, kind: str) -> SecError:
        return SecError(cik, endpoint, self._scrub(reason), kind)

    def _scrub(self, text: str) -> str:
        """Remove the User-Agent and any e-mail from text bound for an error message."""
        text = text.replace(self._user_agent, "<user-agent>")
        return _EMAIL_RE.sub("<e-mail>", text)

    def _get_json(self, cik: str, endpoint: str, path: str, expect_key: str) -> dict:
        url = self.base_url + path
        self._limiter.wait()
        try:
            resp = get_bounded(
                self._session,
                url,
                headers={"User-Agent": self._user_agent, "Accept": "application/json"},
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            detail = str(exc)
            if len(detail) > 300:
                detail = detail[:297] + "..."
            raise self._error(cik, endpoint, f"request failed ({type(exc).__name__}: {detail})", "network") from None
        except BodyRejected as exc:
            raise self._error(cik, endpoint, str(exc), "bad_response") from None
        return self._decode(cik, endpoint, resp, expect_key)

    def _decode(self, cik: str, endpoint: str, resp: requests.Response, expect_key: str) -> dict:
        status = resp.status_code
        body = resp.content or b""
        head = body[:8192].decode("utf-8", errors="replace")
        lowered = head.lower()
        throttle_page = any(marker in lowered for marker in _THROTTLE_MARKERS)
        if status == 403:
            if throttle_page:
                raise self._error(
                    cik,
                    endpoint,
                    "throttled by SEC (403 Request Rate Threshold Exceeded): more than 10 requests/second "
                    "from this address, or a User-Agent without a name and contact e-mail; the SEC blocks "
                    "for about 10 minutes, so wait before retrying",
                    "throttled",
                )
            raise self._error(cik, endpoint, "forbidden by SEC (403)", "forbidden")
        if status == 404:
            if "<code>nosuchkey</code>" in lowered:
                raise self._error(cik, endpoint, "no such CIK/document (404 NoSuchKey)", "not_found")
            raise self._error(cik, endpoint, "not found (404)", "not_found")
        if status == 429:
            raise self._error(cik, endpoint, "throttled (429 Too Many Requests), still after retries", "throttled")
        if status != 200:
            raise self._error(cik, endpoint, f"HTTP {status} (after retries for 5xx)", "http")
        if head.lstrip("\ufeff \t\r\n").startswith("<"):  # HTML or XML, whatever the Content-Type says
            if throttle_page:
                raise self._error(
                    cik, endpoint, "throttled by SEC (Request Rate Threshold Exceeded page with HTTP 200)", "throttled"
                )
            match = _TITLE_RE.search(head)
            title = " ".join(match.group(1).split())[:80] if match else ""
            what = f"an HTML page titled {title!r}" if title else "an HTML/XML page"
            raise self._error(cik, endpoint, f"expected JSON, got {what} (HTTP 200)", "bad_response")
        try:
            doc = decode_json(body)
        except BodyRejected as exc:  # malformed, nested too deep, NaN/Infinity
            reason = f"{exc.what} (HTTP 200)" + (f": {exc.detail}" if exc.detail else "")
            raise self._error(cik, endpoint, reason, "bad_response") from None
        if not isinstance(doc, dict):
            raise self._error(cik, endpoint, f"unexpected JSON: a {type(doc).__name__}, not an object", "bad_response")
        if expect_key not in doc:
            raise self._error(cik, endpoint, f"unexpected JSON: no {expect_key!r} key", "bad_response")
        if "cik" not in doc:  # every companyfacts, submissions and companyconcept document names its CIK
            raise self._error(cik, endpoint, "unexpected JSON: no 'cik' key", "bad_response")
        try:
            served = cik10(doc["cik"])
        except SecError:
            raise self._error(cik, endpoint, "unexpected JSON: its 'cik' is not a CIK", "bad_response") from None
        if served != cik:
            raise self._error(cik, endpoint, f"the response is for CIK {served}", "bad_response")
        return doc


def valid_user_agent(value: str) -> bool:
    """True when `value` names someone and gives a contact e-mail ("Name contact@example.com")."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return False
    words = value.split()
    has_email = any(_EMAIL_RE.fullmatch(w) for w in words)
    has_name = any(not _EMAIL_RE.fullmatch(w) for w in words)
    return has_email and has_name
