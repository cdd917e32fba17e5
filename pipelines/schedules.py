"""Schedules: the daily refresh after each US close."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from pipelines.jobs import daily_refresh


# 18:30 New York time (the partitions' time zone), after the 16:00 close and the data vendors'
# end-of-day updates, every calendar day. The price partitions are months, so each tick runs the
# current month's partition again: its run fetches the days raw.share_price_coverage lists as
# missing (today's bars; any earlier day of the month a failed tick left out) and rebuilds
# everything downstream. On the first of a month the tick covers the previous month too, so its
# last day is not left to a manual refresh. A weekend or exchange-holiday tick is not a failure:
# the sources have no bar for the day, it is recorded as not yet covered, and the next trading
# day's run asks again (see docs/ARCHITECTURE.md, "Partitions and missing").
def build_daily_refresh_schedule(partitions_def: dg.TimeWindowPartitionsDefinition) -> dg.ScheduleDefinition:
    """The daily schedule of `daily_refresh` over the price assets' (monthly) partitions."""

    @dg.schedule(
        name="daily_refresh_after_us_close",
        job=daily_refresh,
        cron_schedule="30 18 * * *",
        execution_timezone="America/New_York",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=(
            "Daily 18:30 America/New_York (after the US close): run the current month's price partition (only the "
            "missing days are fetched), then rebuild every downstream table."
        ),
    )
    def daily_refresh_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        now = context.scheduled_execution_time
        first, last = (partitions_def.get_partition_key_for_timestamp(t.timestamp()) for t in (now - timedelta(days=1), now))
        if first == last:
            return dg.RunRequest(partition_key=last)
        return dg.RunRequest(tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last})

    return daily_refresh_schedule
