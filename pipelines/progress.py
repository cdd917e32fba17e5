"""A Dagster logger for the refresh command: one line per asset as its run materializes it.

Dagster's console logger prints step events at DEBUG only, so a long run of `make run` (the
first one rebuilds every table) would print nothing between its start and its end. With
`progress` in a run's logger config, each asset's first materialization in the run prints what it
was, how far the run is and how long it has taken so far:

    core/prices (3 of 37, 12.4 s)

Runs launched from the UI or a schedule do not configure it (its `assets` field is required), so
they log as before.
"""

from __future__ import annotations

import logging
import time

import dagster as dg


class _Progress(logging.Handler):
    def __init__(self, assets: int):
        super().__init__(level=logging.DEBUG)
        self.assets, self.started, self.seen = assets, time.monotonic(), set()

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None)
        event = meta.get("dagster_event") if isinstance(meta, dict) else None
        if event is None or event.event_type_value != "ASSET_MATERIALIZATION":
            return
        key = event.asset_key.to_user_string()
        if key not in self.seen:
            self.seen.add(key)
            print(f"  {key} ({len(self.seen)} of {self.assets}, {time.monotonic() - self.started:.1f} s)", flush=True)


@dg.logger(
    config_schema={"assets": dg.Field(int, description="How many assets the run materializes (the 'of N').")},
    description="One line per asset materialized by the run: its key, how many of the run's assets so far, seconds since the run began.",
)
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("perpetuum.progress", level=logging.DEBUG)
    logger.addHandler(_Progress(init_context.logger_config["assets"]))
    return logger


def with_progress(run_config: dict, assets: int) -> dict:
    """`run_config` with the progress logger switched on for a run of `assets` assets."""
    loggers = {**run_config.get("loggers", {}), "progress": {"config": {"assets": assets}}}
    return {**run_config, "loggers": loggers}
