"""Month arithmetic and the registry's period syntax, reduced to whole months.

The engine counts time in months. A month is held as a `datetime.date` on the first of the month
(what polars stores as `pl.Date`) or as an absolute month number `year * 12 + month - 1`, which
makes differences between months plain integer subtraction.
"""

from __future__ import annotations

import re
from datetime import date

# Oracle is the registry's only fiscal-year user: FY2028 = Jun 2027 .. May 2028.
FISCAL_YEAR_LAST_MONTH = 5

_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FISCAL = re.compile(r"^FY(\d{4})$")


def month_number(day: date) -> int:
    """Absolute month number of the month containing `day`."""
    return day.year * 12 + day.month - 1


def month_date(number: int) -> date:
    """First day of the month with absolute number `number`."""
    return date(number // 12, number % 12 + 1, 1)


def yyyymm(number: int) -> int:
    """The month as the integer YYYYMM (how scenario tables write months as numbers)."""
    return (number // 12) * 100 + number % 12 + 1


def month_text(number: int) -> str:
    """The month as `YYYY-MM` (a registry period)."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def from_yyyymm(value: int) -> int:
    """Absolute month number of the integer YYYYMM."""
    year, month = divmod(int(value), 100)
    if not 1 <= month <= 12:
        raise ValueError(f"{value}: not a YYYYMM month")
    return year * 12 + month - 1


def period_months(period: str) -> tuple[int, int]:
    """First and last absolute month covered by a registry period (see data/registry/README.md).

    `YYYY`, `YYYY-H1/H2`, `YYYY-Q1..Q4`, `YYYY-MM`, `YYYY-MM-DD`, `FYYYYY` and `start/end`
    intervals of any two of these. Raises ValueError for an empty or unknown period.
    """
    text = (period or "").strip()
    if "/" in text:
        start, end = text.split("/", 1)
        return period_months(start)[0], period_months(end)[1]
    if m := _YEAR.match(text):
        year = int(m[1])
        return year * 12, year * 12 + 11
    if m := _HALF.match(text):
        first = int(m[1]) * 12 + (int(m[2]) - 1) * 6
        return first, first + 5
    if m := _QUARTER.match(text):
        first = int(m[1]) * 12 + (int(m[2]) - 1) * 3
        return first, first + 2
    if m := _MONTH.match(text) or _DAY.match(text):
        number = int(m[1]) * 12 + int(m[2]) - 1
        return number, number
    if m := _FISCAL.match(text):
        last = int(m[1]) * 12 + FISCAL_YEAR_LAST_MONTH - 1
        return last - 11, last
    raise ValueError(f"{period!r}: not a registry period")
