"""SEC EDGAR: a rate-limited JSON client, an offline snapshot with the same interface, and parsers.

No Dagster here (the assets that use this live elsewhere), so everything can be tested alone:

- `client.SecClient` — live `data.sec.gov` (companyfacts, submissions, companyconcept), ≤ 10
  requests per second, a User-Agent with a contact e-mail, clear `SecError`s for the SEC's throttle
  page (403 "Request Rate Threshold Exceeded"), 404 NoSuchKey and HTML / malformed JSON answers.
- `snapshot.SnapshotSec` — the same interface over the real responses bundled in
  `data/snapshot/sec/` (listed with their provenance in its `manifest.csv`): the offline default.
- `facts.parse_company_facts` / `facts.dedupe_facts` — the few XBRL facts the project needs
  (revenue, net income, capex, RPO, shares outstanding), one row per period after de-duplication.
- `filings.parse_submissions` / `filings.eight_k_candidates` — a company's recent filings and the
  8-Ks that report a material definitive agreement (Item 1.01): candidates for new deals.
"""

from assets.sec.base import SecError, SecSource, cik10
from assets.sec.client import RateLimiter, SecClient, valid_user_agent
from assets.sec.facts import FACT_SCHEMA, METRICS, dedupe_facts, parse_company_facts
from assets.sec.filings import (
    CANDIDATE_COLUMNS,
    FILING_SCHEMA,
    eight_k_candidates,
    parse_submissions,
)
from assets.sec.snapshot import DEFAULT_SNAPSHOT_DIR, SnapshotSec

__all__ = [
    "CANDIDATE_COLUMNS",
    "DEFAULT_SNAPSHOT_DIR",
    "FACT_SCHEMA",
    "FILING_SCHEMA",
    "METRICS",
    "RateLimiter",
    "SecClient",
    "SecError",
    "SecSource",
    "SnapshotSec",
    "cik10",
    "dedupe_facts",
    "eight_k_candidates",
    "parse_company_facts",
    "parse_submissions",
    "valid_user_agent",
]
