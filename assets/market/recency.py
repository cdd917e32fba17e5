"""Which trading day each exchange last completed, from its official calendar (no Dagster here)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

# Symbols without a suffix trade in New York; a suffix names the exchange (Yahoo convention).
CALENDAR_BY_SUFFIX = {"": "XNYS", "T": "XTKS"}
# Daily bars reach the sources some time after the close.
GRACE = timedelta(hours=2)


def exchange_of(ticker: str) -> str:
    suffix = ticker.rsplit(".", 1)[1] if "." in ticker else ""
    return CALENDAR_BY_SUFFIX.get(suffix, "XNYS")


def last_completed_session(calendar_name: str, now: datetime) -> date:
    """The latest session whose close (plus GRACE) lies before `now` (aware datetime)."""
    import exchange_calendars  # 1.5 s to import: only when a check runs
    import pandas as pd

    calendar = exchange_calendars.get_calendar(calendar_name)
    moment = pd.Timestamp(now - GRACE).tz_convert("UTC").floor("min")
    return calendar.minute_to_past_session(moment).date()


def last_completed_sessions(tickers: list[str], now: datetime) -> list[date]:
    """`last_completed_session` of each ticker's exchange, in the order of `tickers`.

    Each exchange's calendar is asked once, however many of the tickers trade there.
    """
    exchanges = [exchange_of(ticker) for ticker in tickers]
    sessions = {name: last_completed_session(name, now) for name in set(exchanges)}
    return [sessions[name] for name in exchanges]


def calendar_of(ticker: str) -> str | None:
    """The calendar of the ticker's exchange, or None when its suffix names an exchange without one
    here (`exchange_of` assumes New York there; checking sessions against the wrong calendar would
    flag that exchange's trading on New York holidays, and its own holidays, wrongly)."""
    known = "." not in ticker or ticker.rsplit(".", 1)[1] in CALENDAR_BY_SUFFIX
    return exchange_of(ticker) if known else None


def sessions_between(calendar_name: str, start: date, end: date) -> list[date]:
    """The exchange's sessions in [start, end], as far as its calendar reaches.

    exchange_calendars covers about 20 years back and 1 year ahead of today and raises outside
    them; days outside are left out, i.e. unknown, never reported as sessions."""
    import exchange_calendars  # costly to import: only when sessions are asked for

    calendar = exchange_calendars.get_calendar(calendar_name)
    first, last = max(start, calendar.first_session.date()), min(end, calendar.last_session.date())
    if first > last:
        return []
    return calendar.sessions_in_range(first.isoformat(), last.isoformat()).date.tolist()
