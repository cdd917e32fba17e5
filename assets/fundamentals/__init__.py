"""Company figures and filings from SEC EDGAR (Dagster group `filings`).

- `raw/sec_company_facts` — revenue, net income, capex, remaining performance obligations and
  shares outstanding of every listed party in `data/registry/companies.csv` with a CIK, one row
  per period (the SEC's many reports of one figure merged, never summed).
- `raw/sec_filings` — the watched companies' recent 8-K (with items), 10-K and 10-Q filings.
- `raw/deal_candidates` — 8-Ks with Item 1.01 (material definitive agreement): deals a person
  should look at; decisions are recorded in `data/registry/candidate_reviews.csv`.

Offline by default (the bundled real responses in `data/snapshot/sec/`, their retrieval dates in
the metadata, companies without offline data reported); live from data.sec.gov when
`PERPETUUM_SEC_USER_AGENT` is set. The HTTP client, snapshot reader and parsers are in
`assets.sec` (no Dagster); `pipelines/sensors.py` holds the sensor that watches for new 8-Ks.
"""

from .assets import (
    DEAL_CANDIDATES,
    SEC_COMPANY_FACTS,
    SEC_FILINGS,
    SEC_RETRY_POLICY,
    build_sec_assets,
    sec_failure,
)
from .companies import WatchedCompany, watched_companies
from .resource import SecResource

# raw/sec_company_facts, raw/sec_filings, raw/deal_candidates and the facts' asset check.
SEC_ASSETS = build_sec_assets()

__all__ = [
    "DEAL_CANDIDATES",
    "SEC_ASSETS",
    "SEC_COMPANY_FACTS",
    "SEC_FILINGS",
    "SEC_RETRY_POLICY",
    "SecResource",
    "WatchedCompany",
    "build_sec_assets",
    "sec_failure",
    "watched_companies",
]
