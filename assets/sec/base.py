"""What every SEC source offers, the error it raises, and strict CIK handling."""

from __future__ import annotations

import re
from typing import Any, Protocol

_CIK_RE = re.compile(r"[0-9]{1,10}")  # ASCII digits only: str.isdigit() would accept "١٢٣"
# Dates in SEC documents (periods, filing dates) must fall in these years; EDGAR starts in 1993.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2099


class SecError(Exception):
    """SEC EDGAR could not deliver a document; the message names the CIK, the endpoint and why.

    `kind` lets callers react without parsing text: "invalid_cik", "throttled", "not_found",
    "forbidden", "http", "network", "bad_response", "offline_missing", "offline_ambiguous".
    The message never carries the User-Agent (it holds the operator's contact e-mail).
    """

    def __init__(self, cik: str, endpoint: str, reason: str, kind: str = "bad_response"):
        super().__init__(f"SEC EDGAR {endpoint} for CIK {cik}: {reason}")
        self.cik = cik
        self.endpoint = endpoint
        self.reason = reason
        self.kind = kind


def cik10(cik: Any, endpoint: str = "cik") -> str:
    """The CIK as the SEC writes it in URLs: 10 ASCII digits, zero-padded.

    Accepts a string of 1-10 digits or a non-negative int (companyfacts serves `cik` as a number,
    some copies as a string). Anything else — whitespace, a "CIK" prefix, signs, more than 10
    digits, bools — raises `SecError(kind="invalid_cik")` before it can reach a URL.
    """
    if isinstance(cik, bool):
        text = None
    elif isinstance(cik, int):
        text = str(cik) if cik >= 0 else None
    elif isinstance(cik, str):
        text = cik
    else:
        text = None
    if text is None or not _CIK_RE.fullmatch(text):
        shown = repr(cik)
        if len(shown) > 40:
            shown = shown[:37] + "..."
        raise SecError(shown, endpoint, "invalid CIK: expected 1 to 10 ASCII digits", kind="invalid_cik")
    return text.zfill(10)


class SecSource(Protocol):
    """Live client and offline snapshot alike: each method returns the SEC's JSON as a dict."""

    def company_facts(self, cik: str) -> dict: ...

    def submissions(self, cik: str) -> dict: ...

    def company_concept(self, cik: str, taxonomy: str, tag: str) -> dict: ...
