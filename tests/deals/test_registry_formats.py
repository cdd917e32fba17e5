"""Small pieces of the registry's validation: the period syntax, how values and checks are worded."""

from __future__ import annotations

import re

import pytest

from datetime import date

from assets.deals.registry import _period_start, shown, written_precision
from assets.deals.schemas import PERIOD_PATTERN, URL_PATTERN
from assets.validation import describe_check


@pytest.mark.parametrize(
    "period", ["2027", "2026-H2", "2026-Q3", "2025-11", "2025-10-05", "FY2028", "2026-H2/2029-12", "2025-10-06/2025-10-08", "2026/2033"]
)
def test_every_period_form_of_the_readme_is_accepted(period):
    assert re.match(PERIOD_PATTERN, period)


@pytest.mark.parametrize("period", ["H2 2026", "2026-H3", "2026-13", "2025-10-32", "FY28", "2026/", "2026-2029", "Q1 2025"])
def test_other_period_spellings_are_refused(period):
    assert not re.match(PERIOD_PATTERN, period)


@pytest.mark.parametrize(
    "text, precision, first_day",
    [("2025-09-22", "day", date(2025, 9, 22)), ("2025-09", "month", date(2025, 9, 1)), ("2025-Q1", "quarter", date(2025, 1, 1)), ("2025-Q4", "quarter", date(2025, 10, 1))],
)
def test_an_announcement_date_is_the_first_day_of_its_written_period(text, precision, first_day):
    assert (written_precision(text), _period_start(text)) == (precision, first_day)


@pytest.mark.parametrize("text", ["2025-13", "2025-Q5", "2025-9", "Sept 2025", "2025-02-30", "2025-H2"])
def test_other_announcement_spellings_are_refused(text):
    with pytest.raises(ValueError):
        _period_start(text)


@pytest.mark.parametrize("url, ok", [("https://openai.com/index/x/", True), ("http://www.tradevae.com/a", True), ("www.x.com", False), ("ftp://x.com", False), ("https:// x.com", False), ("https://", False)])
def test_source_urls_must_be_http(url, ok):
    assert bool(re.match(URL_PATTERN, url)) is ok


def test_values_are_shown_as_written():
    assert shown("-5") == "-5"
    assert shown("Foo Corp") == "'Foo Corp'"
    assert shown(None) == "(empty)"
    assert shown("x" * 100) == "'" + "x" * 59 + "…'"


@pytest.mark.parametrize(
    "check, words",
    [
        ("greater_than_or_equal_to(0)", "must be non-negative"),
        ("greater_than(0)", "must be positive"),
        ("greater_than(1.5)", "must be > 1.5"),
        ("isin(['up to', 'approx', 'exact'])", "must be one of: up to, approx, exact"),
        ("not_nullable", "required (the cell is empty)"),
        ("must be an http(s) URL", "must be an http(s) URL"),
    ],
)
def test_pandera_checks_in_words(check, words):
    assert describe_check(check) == words
