"""`perpetuum refresh [--full]`: the daily refresh, exactly what `make run` runs (pipelines/refresh.py)."""

from __future__ import annotations

import click


@click.command(short_help='What `make run` does: fetch the missing days, rebuild what they change.')
@click.option("--full", is_flag=True,
              help="Refetch every price day from PERPETUUM_START_DATE on, ignoring what is loaded, and rebuild "
                   "every table downstream (two full_rebuild runs), then the simulation and the report.")
def refresh(full: bool) -> None:
    """Fetch the missing price days, rebuild the tables they change, run the simulation and the report.

    Prints the per-ticker summary of core.prices and why a ticker ends before PERPETUUM_END_DATE.
    A failed run is also written to the run-failure log (<PERPETUUM_LOG_DIR>/run_failures.log).
    """
    from pipelines.refresh import main

    main(full=full)
