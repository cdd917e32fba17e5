"""The SEC User-Agent carries the operator's e-mail: it must reach the SEC and nothing else."""

from __future__ import annotations

import dagster as dg

from assets.fundamentals import SecResource
from tests.fundamentals.sec_assets_testdata import failure_message
from tests.sec.sec_testdata import USER_AGENT

EMAIL = USER_AGENT.split()[-1]


def test_the_user_agent_never_appears_in_logs_or_metadata(monkeypatch, run_sec, live_sec, serve_sec, instance, httpserver):
    monkeypatch.setenv("PERPETUUM_SEC_USER_AGENT", USER_AGENT)
    serve_sec("NVDA", "companyfacts", "companyfacts_NVDA_excerpt_revenue.json")
    serve_sec("NVDA", "submissions", "submissions_NVDA.json")
    serve_sec("AMD", "companyfacts", "sec_throttle_403.html", status=403, content_type="text/html")
    serve_sec("AMD", "submissions", "submissions_AMD.json")

    ok = run_sec(live_sec("NVDA", user_agent=dg.EnvVar("PERPETUUM_SEC_USER_AGENT")))
    failed = run_sec(live_sec("NVDA", "AMD", user_agent=dg.EnvVar("PERPETUUM_SEC_USER_AGENT")), retries=True)
    assert ok.success and not failed.success and "throttled" in failure_message(failed)
    assert {request.headers["User-Agent"] for request, _ in httpserver.log} == {USER_AGENT}  # it was used

    runs = instance.get_runs()
    assert len(runs) == 2
    for run in runs:
        records = [dg.serialize_value(entry) for entry in instance.all_logs(run.run_id)]
        assert records, "no events recorded"
        text = "\n".join(records) + dg.serialize_value(run)
        assert EMAIL not in text and USER_AGENT not in text
    assert EMAIL not in repr(SecResource(user_agent=USER_AGENT))  # a plain string is hidden too
