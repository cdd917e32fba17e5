"""`perpetuum query`: a documented query of sql/queries/ by name, a .sql file, or ad-hoc SQL, read-only."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from pipelines.cli.common import UserError

QUERIES = Path(__file__).resolve().parents[2] / "sql" / "queries"
FORMATS = ("table", "csv", "parquet", "json")


def documented_queries() -> dict[str, str]:
    """{name: the first sentence of its header comment} of the files in sql/queries/."""
    found = {}
    for path in sorted(QUERIES.glob("*.sql")):
        header = []
        for line in path.read_text().splitlines():
            if not line.startswith("--"):
                break
            header.append(line.removeprefix("--").strip())
        found[path.stem] = re.split(r"(?<=[.?])\s", " ".join(header), maxsplit=1)[0]
    return found


def query_text(what: str) -> str:
    """The SQL of a documented query's name, of a .sql file, or `what` itself."""
    if (QUERIES / f"{what}.sql").is_file():
        return (QUERIES / f"{what}.sql").read_text()
    if what.endswith(".sql"):
        if not Path(what).is_file():
            raise UserError(f"no such file: {what} (documented queries: {', '.join(documented_queries())})")
        return Path(what).read_text()
    if " " not in what.strip():
        raise UserError(f"{what!r} is not a documented query, a .sql file or SQL; documented queries: "
                        + ", ".join(documented_queries()))
    return what


class _QueryHelp(click.Command):
    """The command's help lists the documented queries (read from sql/queries/ when shown)."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Documented queries (sql/queries/)"):
            formatter.write_dl(list(documented_queries().items()))


@click.command(cls=_QueryHelp, short_help="A documented query, a .sql file or SQL, read-only; as a table, CSV, JSON or Parquet.")
@click.argument("what", metavar='NAME|FILE|"SQL"')
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table: aligned columns for reading; csv, json: for other tools; parquet: typed columns (needs --out).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the result to this file instead of stdout.")
def query(what: str, fmt: str, out: Path | None) -> None:
    """Run a query against the warehouse through a read-only connection.

    \b
        perpetuum query reactions_by_value_added
        perpetuum query reactions_by_value_added --format csv --out reactions.csv
        perpetuum query my_question.sql --format parquet --out answer.parquet
        perpetuum query "SELECT ticker, max(trade_date) FROM core.prices GROUP BY ALL"

    No extension is installed or loaded; nothing in the warehouse can change.
    """
    from pipelines.cli.common import read_only, settings

    text = query_text(what)
    if fmt == "parquet" and out is None:
        raise UserError("--format parquet writes a binary file: give it with --out PATH")
    with read_only(settings()) as conn:
        result = conn.sql(text)
        if result is None:
            raise UserError("the SQL returned no result: give a SELECT (or another statement that returns rows)")
        frame = result.pl()
    write(frame, fmt, out)


def write(frame, fmt: str, out: Path | None) -> None:
    import polars as pl

    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "table":
        with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_hide_dataframe_shape=True, tbl_width_chars=1000, fmt_str_lengths=80):
            text = f"{frame}\n{frame.height} rows\n"
    elif fmt == "csv":
        text = frame.write_csv()
    elif fmt == "json":
        text = frame.write_json() + "\n"
    else:
        frame.write_parquet(out)
        click.echo(f"wrote {frame.height} rows to {out}", err=True)
        return
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text)
        click.echo(f"wrote {frame.height} rows to {out}", err=True)
