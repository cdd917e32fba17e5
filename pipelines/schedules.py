"""Schedules: the daily refresh after each US close."""

from __future__ import annotations

import dagster as dg

from pipelines.jobs import daily_refresh

# 18:30 New York time (the partitions' time zone), after the 16:00 close and the data vendors'
# end-of-day updates. Each tick fills that day's price partition and rebuilds everything
# downstream. Dagster derives a time-partitioned job's schedule from its partitions, so it ticks
# every calendar day: a weekend or exchange-holiday tick is not a failure — the sources have no
# bar for the day, the partition is stored empty and recorded as not yet covered, and the next
# trading day's run covers it (see docs/ARCHITECTURE.md, "Partitions and missing").
daily_refresh_schedule = dg.build_schedule_from_partitioned_job(
    daily_refresh,
    name="daily_refresh_after_us_close",
    description="Daily 18:30 America/New_York (after the US close): fetch today's prices, then rebuild every downstream table.",
    hour_of_day=18,
    minute_of_hour=30,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
