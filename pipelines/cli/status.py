"""`perpetuum status`: per table its rows, when it was last built, what date its data reach, and
what is stale or beyond the source's coverage and why; then the checks and freshness verdicts the
Dagster UI shows."""

from __future__ import annotations

from datetime import UTC, datetime

import click

# The column that says how current a table's data is, where it has one (max of it = "data as of").
AS_OF_COLUMNS = ("trade_date", "ex_date", "filing_date", "filed", "event_date", "as_of", "source_date")


@click.command(short_help='Per table: rows, last built, data as of, stale and why; checks and freshness.')
def status() -> None:
    """Rows, last built, data as of, stale or beyond coverage (and why), checks and freshness.

    "last built" is the latest materialization in the Dagster instance (DAGSTER_HOME); "data as of"
    the latest date in the table's date column (named in brackets); the checks and freshness states
    are the latest results Dagster stored, the same the UI shows.
    """
    from assets.warehouse import sql

    from pipelines.cli import catalog
    from pipelines.cli.common import dagster_instance, read_only, settings
    from pipelines.refresh import coverage_notes

    config = settings()
    tables = catalog.load()
    with read_only(config) as conn:
        instance = dagster_instance()
        built = {key: event.timestamp if event else None
                 for key, event in instance.get_latest_materialization_events([t.key for t in tables]).items()}
        rows = []
        present = {f"{s}.{t}": set(c) for s, t, c in conn.execute(
            "SELECT schema_name, table_name, list(column_name) FROM duckdb_columns() GROUP BY ALL").fetchall()}
        for table in tables:
            rows.append(_row(conn, table, present.get(table.name), built))
        notes = coverage_notes(conn.sql(sql("core/prices_latest.sql")).pl(), config) if "core.prices" in present else []
    _print_rows(rows)
    click.echo(f"\nprice coverage ({','.join(config.price_sources)}, {config.start_date}..{config.end_date}):")
    for note in notes or ["every ticker reaches PERPETUUM_END_DATE (within 4 days)"]:
        click.echo(f"  {note}")
    _print_checks(instance, tables)
    _print_freshness(instance, tables)


def _row(conn, table, columns: set[str] | None, built: dict) -> dict:
    when = built.get(table.key)
    row = {"table": table.name, "rows": "", "last built (UTC)": _time(when), "data as of": "", "notes": ""}
    if columns is None:
        row["notes"] = "not in the warehouse yet: `perpetuum refresh` builds it"
        return row
    row["rows"] = f"{_scalar(conn, f'SELECT count(*) FROM {table.name}'):,}"
    as_of = next((c for c in AS_OF_COLUMNS if c in columns), None)
    if as_of:
        latest = _scalar(conn, f"SELECT max({as_of}) FROM {table.name}")
        row["data as of"] = f"{latest} ({as_of})" if latest else ""
    newer = [k.to_user_string() for k in table.upstream if when is not None and (built.get(k) or 0) > when]
    if when is None:
        row["notes"] = "never materialized in this Dagster instance"
    elif newer:
        row["notes"] = "stale: built before " + ", ".join(newer) + " changed"
    return row


def _scalar(conn, sql: str):
    return conn.execute(sql).fetchall()[0][0]  # fetchall: DuckDB 2 keeps a half-read result open


def _time(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M") if timestamp else "never"


def _print_rows(rows: list[dict]) -> None:
    """Aligned columns (rows right-aligned), the notes last and unpadded."""
    headers = list(rows[0])
    widths = {h: max(len(h), *(len(r[h]) for r in rows)) for h in headers[:-1]}

    def line(row: dict) -> str:
        cells = [row[h].rjust(widths[h]) if h == "rows" else row[h].ljust(widths[h]) for h in headers[:-1]]
        return "  ".join([*cells, row[headers[-1]]]).rstrip()

    for row in [dict(zip(headers, headers)), *rows]:
        click.echo(line(row))


def _print_checks(instance, tables) -> None:
    """Every check's latest result; the passing ones counted, the others with their description."""
    passed, other, never = 0, [], []
    for table in tables:
        for key in table.checks:
            record = instance.get_latest_asset_check_evaluation_record(key)
            evaluation = record.event.dagster_event.event_specific_data if record and record.event and record.event.dagster_event else None
            if evaluation is None or not hasattr(evaluation, "passed"):
                never.append(key.name)
            elif evaluation.passed:
                passed += 1
            else:
                verdict = "warning" if evaluation.severity.value == "WARN" else "FAILED"
                other.append(f"  {key.name} ({table.name}): {verdict}: {evaluation.description or ''}".rstrip(": "))
    click.echo(f"\nchecks: {passed} passed, {len(other)} did not" + (f", {len(never)} not run yet" if never else ""))
    for line in other:
        click.echo(line)
    if never:
        click.echo("  not run yet: " + ", ".join(never))


def _print_freshness(instance, tables) -> None:
    """The freshness policies' states, as Dagster evaluated them (the daemon of `make ui` does)."""
    keys = [t.key for t in tables if t.has_freshness_policy]
    if not keys:
        return
    states = instance.get_freshness_state_records(keys)
    click.echo("\nfreshness policies:")
    for key in keys:
        record = states.get(key)
        state = (f"{record.freshness_state.value.lower()} (evaluated {record.updated_at:%Y-%m-%d %H:%M} UTC)"
                 if record else "not evaluated yet (the Dagster daemon of `make ui` evaluates it)")
        click.echo(f"  {key.to_user_string()}: {state}")
