"""`perpetuum`: the project's one command (installed by `make setup` as .venv/bin/perpetuum).

    perpetuum refresh [--full]                      what `make run` does
    perpetuum simulate --scenario base --set k=v    a custom scenario, run through Dagster
    perpetuum query NAME|FILE|"SQL" [--format ..]   read the warehouse (read-only)
    perpetuum status                                rows, last built, data as of, checks
    perpetuum tables [NAME]                         the data dictionary

Expected failures (a setting, a bad registry, a source outage, a missing warehouse) end with a
message and no traceback; `--debug` shows the traceback and the dependencies' warnings. Each
command imports the pipeline only when it runs, so `--help` is quick and a bad PERPETUUM_*
setting is reported like any other error, not as an import traceback.
"""

from __future__ import annotations

import click

from pipelines.cli.common import expected_failure, quiet
from pipelines.cli.query import query
from pipelines.cli.refresh import refresh
from pipelines.cli.simulate import simulate
from pipelines.cli.status import status
from pipelines.cli.tables import tables


class Commands(click.Group):
    """Turns expected failures into their message (the traceback only with --debug)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            failure = None if ctx.params.get("debug") else expected_failure(ctx.invoked_subcommand or "perpetuum", exc)
            if failure is None:
                raise
            raise failure from exc


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--debug", is_flag=True, help="Show tracebacks (Dagster's too) and the dependencies' warnings.")
def cli(debug: bool) -> None:
    """perpetuum: the circular AI deals tracker.

    Settings come from PERPETUUM_* environment variables (README, "Configuration"); runs go through
    the Dagster instance in DAGSTER_HOME (default: the project's .dagster/) and show in the UI.
    """
    if not debug:
        quiet()


for command in (refresh, simulate, query, status, tables):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """The console script `perpetuum` (pyproject.toml [project.scripts])."""
    cli.main(args=argv, prog_name="perpetuum")
