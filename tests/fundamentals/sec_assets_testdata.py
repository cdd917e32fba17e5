"""Helpers shared by the SEC asset tests (a uniquely named module: `conftest` is ambiguous across folders)."""

from __future__ import annotations

import dagster as dg

from tests.sec.sec_testdata import CIK

ENDPOINT_PATHS = {"companyfacts": "/api/xbrl/companyfacts/CIK{cik}.json", "submissions": "/submissions/CIK{cik}.json"}
CIKS = {**CIK, "AVGO": "0001730168", "META": "0001326801"}
AMD_8K = "0001193125-25-230895"
AMD_8K_URL = "https://www.sec.gov/Archives/edgar/data/2488/000119312525230895/d28189d8k.htm"


def materialization(result: dg.ExecuteInProcessResult, key: str) -> dict:
    """The metadata values of the materialization of `key` ("raw/sec_filings") in a run."""
    for event in result.get_asset_materialization_events():
        if event.materialization.asset_key.to_user_string() == key:
            return {k: v.value for k, v in event.materialization.metadata.items()}
    raise AssertionError(f"{key} was not materialized")


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    """What every failed step of a run reported (the dg.Failure's description, else the error)."""
    messages = []
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            messages.append(data.user_failure_data.description if data.user_failure_data else data.error.message)
    return "\n".join(messages)


def retries(result: dg.ExecuteInProcessResult) -> int:
    return sum(1 for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY)
