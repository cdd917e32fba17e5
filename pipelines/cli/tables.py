"""`perpetuum tables [NAME]`: the data dictionary, from the descriptions the Dagster UI shows (asset
descriptions and `dagster/column_schema`) and the warehouse's own COMMENTs and column types."""

from __future__ import annotations

import textwrap

import click

from pipelines.cli.common import UserError


@click.command(short_help='The data dictionary: tables, columns, units, descriptions.')
@click.argument("name", required=False, metavar="[NAME]")
def tables(name: str | None) -> None:
    """List the tables, or describe one: its meaning, then each column with type, unit and meaning.

    NAME is a table such as mart.deal_reactions (or its Dagster key, mart/deal_reactions). Units
    are part of the descriptions (USD bn, fractions, GW ...).
    """
    from pipelines.cli import catalog
    from pipelines.cli.common import settings

    config = settings()
    known = catalog.load()
    warehouse = _warehouse_comments(config)
    if name is None:
        width = max(len(t.name) for t in known)
        for table in known:
            click.echo(f"{table.name.ljust(width)}  {_first_sentence(table.description)}")
        click.echo("\n`perpetuum tables NAME` describes a table's columns.")
        return
    table = next((t for t in known if name in (t.name, t.key.to_user_string())), None)
    if table is None:
        raise UserError(f"no table {name!r}; tables: {', '.join(t.name for t in known)}")
    _describe(table, *warehouse.get(table.name, ("", {})))


def _first_sentence(text: str) -> str:
    first = " ".join(text.split()).split(". ")[0]
    return first if len(first) <= 110 else first[:107] + "..."


def _warehouse_comments(config) -> dict[str, tuple[str, dict[str, tuple[str, str]]]]:
    """{table: (table comment, {column: (type, comment)})} from the warehouse; {} before the first run."""
    from pipelines.cli.common import read_only

    if not config.warehouse.exists():
        return {}
    found: dict = {}
    with read_only(config) as conn:
        for schema, table, comment in conn.execute(
                "SELECT schema_name, table_name, coalesce(comment, '') FROM duckdb_tables()").fetchall():
            found[f"{schema}.{table}"] = (comment, {})
        for schema, table, column, kind, comment in conn.execute(
                "SELECT schema_name, table_name, column_name, data_type, coalesce(comment, '') "
                "FROM duckdb_columns() ORDER BY schema_name, table_name, column_index").fetchall():
            if f"{schema}.{table}" in found:
                found[f"{schema}.{table}"][1][column] = (kind, comment)
    return found


def wrap(text: str, indent: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=100, initial_indent=indent, subsequent_indent=indent)


def _describe(table, table_comment: str, columns: dict[str, tuple[str, str]]) -> None:
    click.echo(f"{table.name}  (Dagster asset {table.key.to_user_string()})")
    click.echo(wrap(table.description or table_comment or "(no description)", "  "))
    if table_comment and table_comment != table.description:
        click.echo(wrap(f"warehouse comment: {table_comment}", "  "))
    if table.upstream:
        click.echo(wrap("built from: " + ", ".join(k.to_user_string() for k in table.upstream), "  "))
    described = {c.name: c for c in table.columns}
    names = list(columns) or list(described)
    names += [n for n in described if n not in names]
    if not names:
        click.echo("\n  (no columns known: the table is not built yet and declares no column schema)")
        return
    click.echo("\ncolumns:")
    width = max(len(n) for n in names)
    for column in names:
        kind, comment = columns.get(column, ("", ""))
        schema = described.get(column)
        kind = kind or (schema.type if schema else "")
        text = (schema.description if schema and schema.description else "") or comment or "(no description)"
        if column not in columns and columns:
            text += " [declared, but not in the warehouse]"
        click.echo(f"  {column.ljust(width)}  {kind}")
        click.echo(wrap(text, "      "))
