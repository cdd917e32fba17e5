"""The watch list from companies.csv and the candidate review file: errors a person can fix in one go."""

from __future__ import annotations

import pytest

from assets.fundamentals.companies import WatchListError, watched_companies
from assets.fundamentals.reviews import REVIEWS_FILE, load_reviews
from assets.validation import ValidationFailed

HEADER = "company,aliases,ticker,exchange,currency,sec_cik,listed\n"


def test_the_real_watch_list_is_every_listed_party_with_a_cik():
    watched = watched_companies()
    assert [w.ticker for w in watched] == ["NVDA", "AMD", "ORCL", "MSFT", "AVGO", "AMZN", "INTC", "META", "CRWV", "GOOGL", "NBIS", "IREN"]
    assert watched[1].cik == "0000002488" and watched[1].company == "AMD"


def test_tickers_narrow_the_watch_list_and_unknown_ones_are_named():
    assert [w.ticker for w in watched_companies(tickers=["AMD"])] == ["AMD"]
    with pytest.raises(WatchListError, match="ticker: OPENAI — not a listed company with a sec_cik"):
        watched_companies(tickers=["AMD", "OPENAI"])


def test_every_watch_list_problem_is_listed_with_its_line(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(
        HEADER
        + "OpenAI,,,,USD,,false\n"  # private: not watched, no problem
        + "Bad CIK,,BAD,NASDAQ,USD,CIK123,true\n"
        + "No ticker,,,NASDAQ,USD,0000002488,true\n"
        + "AMD,,AMD,NASDAQ,USD,2488,true\n"
        + "AMD again,,AMD2,NASDAQ,USD,0000002488,true\n",
        encoding="utf-8",
    )
    with pytest.raises(WatchListError) as err:
        watched_companies(path)
    message = str(err.value)
    assert "3 problem(s)" in message
    assert "companies.csv:3: sec_cik: 'CIK123' — must be 1 to 10 digits" in message
    assert "companies.csv:4: ticker: '' — a listed company with a CIK needs a ticker" in message
    assert "companies.csv:6: sec_cik: 0000002488 — the same CIK is on an earlier row" in message


def test_the_shipped_review_file_loads():
    assert load_reviews(REVIEWS_FILE).columns == ["line", "accession_number", "status", "note"]


def test_review_file_rules(tmp_path):
    path = tmp_path / "candidate_reviews.csv"
    path.write_text("accession_number,status\n0001193125-25-230895,added\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="candidate_reviews.csv:1: header"):
        load_reviews(path)
    path.write_text("accession_number,status,note\n\n0001193125-25-230895, Added ,ok\n", encoding="utf-8")
    assert load_reviews(path).select("line", "status").rows() == [(3, "added")]
    assert load_reviews(tmp_path / "absent.csv").is_empty()
