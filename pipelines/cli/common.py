"""What every `perpetuum` command shares: expected failures as messages, the settings, a read-only
warehouse connection. Only click and the standard library at import; the pipeline loads on use."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import duckdb

    from assets.settings import Settings

# Warnings about Dagster's own API stability (beta/preview/superseded parameters that the project
# or Dagster itself uses): for the project's developers, not for the people running it.
DEPENDENCY_WARNINGS = ("BetaWarning", "PreviewWarning", "SupersessionWarning")


class UserError(click.ClickException):
    """An expected failure: printed as its message alone (exit 1, or 2 for configuration)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(self.message, err=True)


def quiet() -> None:
    """Users' output without the dependencies' warnings and without the stack traces Dagster's
    console logger prints for a failed step or run (the command prints the error itself; the full
    trace stays in the run's event log, in the UI). `--debug` skips this."""
    import warnings

    import dagster as dg

    for name in DEPENDENCY_WARNINGS:
        warnings.filterwarnings("ignore", category=getattr(dg, name))
    # Dagster builds its console logger per run from logging.getLoggerClass() (dagster._utils.log).
    logging.setLoggerClass(_ConsoleWithoutTracebacks)


class _ConsoleWithoutTracebacks(logging.Logger):
    """A logger whose records keep their first line when Dagster's "dagster" console logs a failure."""

    def __init__(self, name: str, level: int = logging.NOTSET) -> None:
        super().__init__(name, level)
        if name == "dagster":
            self.addFilter(_first_line_of_errors)


def _first_line_of_errors(record: logging.LogRecord) -> bool:
    if record.levelno >= logging.ERROR:
        first = record.getMessage().split("\n", 1)[0]
        record.msg, record.args = first, ()
    return True


def expected_failure(command: str, exc: BaseException) -> UserError | None:
    """The message of a failure users can act on, or None for a bug (which keeps its traceback)."""
    import dagster as dg
    import duckdb

    from assets.settings import SettingsError
    from assets.warehouse import WarehouseError

    if isinstance(exc, SettingsError):
        return UserError(f"configuration error: {exc}", exit_code=2)
    if isinstance(exc, WarehouseError):  # the file itself: foreign, damaged, read-only or busy
        return UserError(f"\n{command} failed: {exc}")
    if isinstance(exc, dg.Failure):  # bad data: the message lists every problem
        return UserError(f"\n{command} stopped; the failing step wrote nothing:\n{exc.description}")
    if isinstance(exc, dg.DagsterExecutionStepExecutionError):
        return UserError(f"\n{command} failed: {exc.user_exception}")
    if isinstance(exc, dg.DagsterError):  # e.g. a source outage that outlasted the step's RetryPolicy
        details = [info.message.strip() for info in getattr(exc, "user_code_process_error_infos", None) or []]
        return UserError(f"\n{command} failed: {exc}" + "".join(f"\n  {d}" for d in details))
    if isinstance(exc, (duckdb.Error, OSError)):  # raised by a step as is, e.g. a full disk
        return UserError(f"\n{command} failed: {' '.join(str(exc).split())}")
    return None


def settings() -> Settings:
    """The PERPETUUM_* settings (a SettingsError becomes a configuration error, exit 2)."""
    from assets.settings import Settings

    return Settings.from_env()


@contextmanager
def read_only(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse, or a message saying how to get one."""
    import duckdb

    from assets.warehouse import NO_EXTENSIONS  # a query never installs or loads an extension

    path = settings.warehouse
    if not path.exists():
        raise UserError(f"no warehouse at {path} yet: run `make run` (or `perpetuum refresh`) first")
    try:
        conn = duckdb.connect(str(path), read_only=True, config=NO_EXTENSIONS)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise UserError(f"a run is writing the warehouse {path} right now (DuckDB lets no reader in "
                            "while a writer holds it): try again when it has finished") from exc
        raise
    with conn:
        yield conn


def dagster_instance():
    """The Dagster instance in DAGSTER_HOME (default: the project's .dagster/, as in the Makefile)."""
    import os

    from assets.settings import PROJECT_ROOT

    from pipelines.instance_guard import open_instance

    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster"))
    return open_instance()
