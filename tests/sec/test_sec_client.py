"""SecClient against a loopback server replaying real SEC responses and error pages."""

from __future__ import annotations

import gzip
import time

import pytest

from assets.http import make_session
from assets.sec import RateLimiter, SecClient, SecError, cik10

from sec_testdata import CIK, USER_AGENT


def _assert_no_secret(err: SecError) -> None:
    for text in (str(err), err.reason, repr(err)):
        assert USER_AGENT not in text
        assert "sec-contact@example.com" not in text


# -- happy paths -------------------------------------------------------------------------------


def test_company_facts_sends_user_agent_and_returns_doc(make_client, serve, snapshot_bytes, httpserver):
    serve(f"/api/xbrl/companyfacts/CIK{CIK['ORCL']}.json", snapshot_bytes("companyfacts_ORCL_excerpt.json"))
    doc = make_client().company_facts("1341439")
    assert doc["entityName"] == "Oracle Corporation"
    assert "RevenueFromContractWithCustomerExcludingAssessedTax" in doc["facts"]["us-gaap"]
    (request, _response), = httpserver.log
    assert request.path == "/api/xbrl/companyfacts/CIK0001341439.json"
    assert request.headers["User-Agent"] == USER_AGENT
    assert request.headers["Accept"] == "application/json"


def test_submissions_path_is_zero_padded(make_client, serve, snapshot_bytes, httpserver):
    serve(f"/submissions/CIK{CIK['AMD']}.json", snapshot_bytes("submissions_AMD.json"))
    doc = make_client().submissions(2488)
    assert doc["name"] == "ADVANCED MICRO DEVICES INC"
    assert httpserver.log[0][0].path == "/submissions/CIK0000002488.json"


def test_gzip_encoded_response_is_decoded(make_client, serve, snapshot_bytes):
    body = gzip.compress(snapshot_bytes("submissions_CRWV_excerpt.json"))
    serve(f"/submissions/CIK{CIK['CRWV']}.json", body, headers={"Content-Encoding": "gzip"})
    assert make_client().submissions("1769628")["name"] == "CoreWeave, Inc."


def test_company_concept(make_client, serve, snapshot_bytes, httpserver):
    name = "companyconcept_CIK0000002488_dei_EntityPublicFloat.json"
    serve("/api/xbrl/companyconcept/CIK0000002488/dei/EntityPublicFloat.json", snapshot_bytes(name))
    doc = make_client().company_concept("2488", "dei", "EntityPublicFloat")
    assert doc["entityName"] == "ADVANCED MICRO DEVICES INC" and doc["units"]["USD"]


def test_default_session_sends_user_agent(serve, snapshot_bytes, httpserver):
    serve(f"/submissions/CIK{CIK['CRWV']}.json", snapshot_bytes("submissions_CRWV_excerpt.json"))
    client = SecClient(httpserver.url_for("/"), user_agent=USER_AGENT)  # session from make_session
    client.submissions("1769628")
    assert httpserver.log[0][0].headers["User-Agent"] == USER_AGENT


# -- SEC error answers -------------------------------------------------------------------------


def test_403_throttle_page_is_a_clear_error_and_not_retried(make_client, serve, fixture_bytes, httpserver):
    serve(f"/api/xbrl/companyfacts/CIK{CIK['NVDA']}.json", fixture_bytes("sec_throttle_403.html"),
          status=403, content_type="text/html")
    with pytest.raises(SecError) as info:
        make_client().company_facts("1045810")
    err = info.value
    assert err.kind == "throttled"
    assert "throttled by SEC (403 Request Rate Threshold Exceeded)" in str(err)
    assert err.cik == "0001045810" and err.endpoint == "companyfacts"
    assert len(httpserver.log) == 1  # a 403 is not retried: that would only prolong the block
    _assert_no_secret(err)


def test_other_403_is_forbidden(make_client, serve):
    serve(f"/submissions/CIK{CIK['AMD']}.json", b"<html><title>Access Denied</title></html>",
          status=403, content_type="text/html")
    with pytest.raises(SecError) as info:
        make_client().submissions("2488")
    assert info.value.kind == "forbidden"
    _assert_no_secret(info.value)


def test_404_nosuchkey(make_client, serve, fixture_bytes):
    serve("/submissions/CIK0000000001.json", fixture_bytes("sec_nosuchkey_404.xml"),
          status=404, content_type="application/xml")
    with pytest.raises(SecError) as info:
        make_client().submissions("1")
    assert info.value.kind == "not_found"
    assert "no such CIK/document (404 NoSuchKey)" in str(info.value)
    assert "0000000001" in str(info.value)
    _assert_no_secret(info.value)


def test_html_with_200_is_an_error(make_client, serve):
    page = b"<!DOCTYPE html><html><head><title>SEC.gov | Site Temporarily Unavailable</title></head></html>"
    serve(f"/submissions/CIK{CIK['AMD']}.json", page, content_type="text/html")
    with pytest.raises(SecError, match="expected JSON, got an HTML page titled 'SEC.gov | Site Temporarily"):
        make_client().submissions("2488")


def test_throttle_page_with_200_is_throttled(make_client, serve, fixture_bytes):
    serve(f"/submissions/CIK{CIK['AMD']}.json", fixture_bytes("sec_throttle_403.html"), content_type="text/html")
    with pytest.raises(SecError) as info:
        make_client().submissions("2488")
    assert info.value.kind == "throttled"


def test_malformed_json(make_client, serve, snapshot_bytes):
    truncated = snapshot_bytes("companyfacts_MSFT_excerpt.json")[:700]
    serve(f"/api/xbrl/companyfacts/CIK{CIK['MSFT']}.json", truncated)
    with pytest.raises(SecError) as info:
        make_client().company_facts("789019")
    assert info.value.kind == "bad_response" and "malformed JSON" in str(info.value)
    _assert_no_secret(info.value)


def test_json_without_expected_key(make_client, serve, snapshot_bytes):
    # a submissions document served where companyfacts was asked for
    serve(f"/api/xbrl/companyfacts/CIK{CIK['AMD']}.json", snapshot_bytes("submissions_AMD.json"))
    with pytest.raises(SecError, match="no 'facts' key"):
        make_client().company_facts("2488")


def test_response_for_another_cik_is_rejected(make_client, serve, snapshot_bytes):
    serve(f"/api/xbrl/companyfacts/CIK{CIK['AMD']}.json", snapshot_bytes("companyfacts_ORCL_excerpt.json"))
    with pytest.raises(SecError, match="the response is for CIK 0001341439"):
        make_client().company_facts("2488")


def test_5xx_after_retries(make_client, serve, httpserver):
    serve(f"/submissions/CIK{CIK['AMD']}.json", b"upstream error", status=503, content_type="text/plain")
    with pytest.raises(SecError) as info:
        make_client().submissions("2488")
    assert info.value.kind == "http" and "HTTP 503" in str(info.value)
    assert len(httpserver.log) == 2  # first try + the one retry of the test session


def test_connection_error_is_a_sec_error_without_secret():
    client = SecClient("http://127.0.0.1:1", user_agent=USER_AGENT,
                       session=make_session(user_agent=USER_AGENT, total_retries=0))
    with pytest.raises(SecError) as info:
        client.submissions("2488")
    assert info.value.kind == "network"
    _assert_no_secret(info.value)


# -- inputs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "12345678901", "CIK0000002488", " 2488", "2488\n", "-1", "24.88", "١٢٣",
                                 "../../x", -5, True, None, 2.0, 10**10])
def test_invalid_cik_never_reaches_a_url(make_client, httpserver, bad):
    with pytest.raises(SecError) as info:
        make_client().company_facts(bad)
    assert info.value.kind == "invalid_cik"
    assert httpserver.log == []


def test_cik10():
    assert cik10("2488") == "0000002488" and cik10(1045810) == "0001045810" and cik10("0000789019") == "0000789019"


@pytest.mark.parametrize("taxonomy, tag", [("us gaap", "Revenues"), ("dei", "../x"), ("dei", "")])
def test_invalid_concept_never_reaches_a_url(make_client, httpserver, taxonomy, tag):
    with pytest.raises(SecError) as info:
        make_client().company_concept("2488", taxonomy, tag)
    assert info.value.kind == "invalid_argument"
    assert httpserver.log == []


@pytest.mark.parametrize("ua", ["", "perpetuum/0.1", "contact@example.com", "Name contact@", "Name\r\nX: y a@b.co"])
def test_user_agent_must_have_name_and_email(ua):
    with pytest.raises(ValueError) as info:
        SecClient(user_agent=ua)
    if ua:
        assert ua not in str(info.value)


def test_user_agent_hidden_in_repr():
    client = SecClient(user_agent=USER_AGENT)
    assert USER_AGENT not in repr(client) and "sec-contact" not in repr(client)


def test_max_rps_capped_at_sec_limit():
    with pytest.raises(ValueError):
        SecClient(user_agent=USER_AGENT, max_rps=11)


# -- rate limit --------------------------------------------------------------------------------


def test_rate_limiter_spacing_with_fake_clock():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(10, clock=lambda: now[0], sleep=sleep)
    for _ in range(25):
        limiter.wait()
    assert now[0] - 100.0 == pytest.approx(2.4)
    assert len(slept) == 24
    now[0] += 5.0  # idle time is not saved up into a burst
    limiter.wait()
    assert len(slept) == 24
    limiter.wait()
    assert slept[-1] == pytest.approx(0.1)


def test_25_requests_take_at_least_2_seconds_at_10_rps(make_client, serve, snapshot_bytes, httpserver):
    serve(f"/api/xbrl/companyfacts/CIK{CIK['MSFT']}.json", snapshot_bytes("companyfacts_MSFT_excerpt.json"))
    client = make_client(max_rps=10)
    started = time.monotonic()
    for _ in range(25):
        client.company_facts("789019")
    elapsed = time.monotonic() - started
    assert len(httpserver.log) == 25
    assert 2.0 <= elapsed < 15.0  # 24 gaps of 0.1 s = 2.4 s by design
    assert all(req.headers["User-Agent"] == USER_AGENT for req, _ in httpserver.log)
