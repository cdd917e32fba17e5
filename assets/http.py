"""One configured `requests.Session` for every live source (no Dagster here).

Retries with exponential backoff on 429 and 5xx and on connection errors, honouring
`Retry-After` up to the backoff cap (a server asking for an hour must not stall a run for three);
a malformed `Retry-After` is ignored (the backoff applies) rather than failing the request.
Every request must pass an explicit (connect, read) timeout.

Bodies are bounded: `get_bounded` stops reading past `MAX_BODY_BYTES`, and `decode_json` refuses
JSON nested deeper than `MAX_JSON_DEPTH` (before decoding it) and NaN/Infinity/overflowing numbers.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
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


# -- bounded bodies -------------------------------------------------------------------------------

MAX_BODY_BYTES = 64 * 1024 * 1024  # the largest answer read: SEC companyfacts of a large filer is ~10 MB
MAX_JSON_DEPTH = 64  # no real answer nests deeper than 10 (SEC companyfacts: 7, Yahoo chart: 6)
# byte -> its step in the nesting depth (+1 opens, -1 closes), and which bytes matter at all
_STEP = np.zeros(256, np.int8)
_STEP[list(b"[{")], _STEP[list(b"]}")] = 1, -1
_MARK = _STEP != 0
_MARK[ord('"')] = True


class BodyRejected(ValueError):
    """An answer too large, nested too deep, with a non-finite number, or not JSON at all.

    `what` says which in a few words, `detail` (may be empty) the decoder's own words; callers wrap
    both in their source's own error, adding the status and size where they know them."""

    def __init__(self, what: str, detail: str = ""):
        super().__init__(f"{what}: {detail}" if detail else what)
        self.what = what
        self.detail = detail


def get_bounded(session: requests.Session, url: str, *, limit: int = MAX_BODY_BYTES, **kwargs) -> requests.Response:
    """`session.get(url, **kwargs)` that reads at most `limit` bytes of the body.

    A larger announced `Content-Length`, or more bytes than `limit` arriving, raises BodyRejected
    before the rest is read. Network errors are requests' own (RequestException), as for `get`."""
    response = session.get(url, stream=True, **kwargs)
    with response:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise BodyRejected(f"answer of {int(declared):,} bytes is over the {limit:,}-byte limit")
        chunks, size = [], 0
        for chunk in response.iter_content(1 << 16):
            size += len(chunk)
            if size > limit:
                raise BodyRejected(f"answer is over the {limit:,}-byte limit")
            chunks.append(chunk)
        response._content = b"".join(chunks)  # what requests itself stores after reading the body
    return response


def json_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in `body` (brackets inside strings do not count).

    Vectorised, as the bodies reach megabytes: escaped pairs (`\\\\`, `\\"`) are removed, then every
    quote toggles "inside a string", and the depth is the running sum of the brackets outside."""
    text = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    codes = np.frombuffer(text, dtype=np.uint8)
    marks = codes[_MARK[codes]]  # only quotes and brackets, in order
    outside = np.cumsum(marks == ord('"')) % 2 == 0
    return int(np.cumsum(_STEP[marks] * outside, dtype=np.int64).max(initial=0))


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyRejected("number out of range", f"{text[:40]} is beyond a double")
    return value


def _no_constant(name: str) -> float:
    raise BodyRejected("non-finite number in JSON", name)


def decode_json(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON document in `body`; BodyRejected when it is not JSON, nests deeper than `max_depth`
    (checked before decoding, so no RecursionError), or holds NaN, Infinity or a number beyond a
    double (1e400). Checked by scanning the bytes once; decoding is the standard library's."""
    if (depth := json_depth(body)) > max_depth:
        raise BodyRejected(f"JSON nested {depth} levels deep (limit {max_depth})")
    try:
        return json.loads(body, parse_float=_finite, parse_constant=_no_constant)
    except BodyRejected:
        raise
    except RecursionError:  # only if the scan above was fooled by bytes that are not JSON anyway
        detail = "nested too deep to decode"
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        detail = str(exc)[:120]
    raise BodyRejected("malformed JSON", detail)
