"""Build a Dagster asset from one SQL file that (re)creates one warehouse table."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg

from ..metadata import markdown_table
from ..report.embed import ChartFn, chart_metadata
from ..warehouse import WarehouseResource, query, run, sql, transaction


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str


class SchemaDrift(RuntimeError):
    """The SQL produced other columns than the asset declares."""


class MartParams(dg.Config):
    """Run config of a mart whose SQL takes `$name` parameters (one field per parameter)."""

    def problems(self) -> list[str]:
        """Why these values cannot be used (empty: fine); each names the field(s)."""
        return []


def sql_table_asset(
    schema: str,
    table: str,
    description: str,
    columns: Sequence[Column],
    deps: Sequence[dg.AssetKey | str | Sequence[str]],
    group_name: str = "marts",
    order_by: str | None = None,
    prelude: Sequence[str] = (),
    chart: ChartFn | None = None,
    config: type[MartParams] | None = None,
) -> dg.AssetsDefinition:
    """An asset that runs sql/<schema>/<table>.sql (CREATE OR REPLACE TABLE <schema>.<table> ...)
    in one transaction, checks the columns it produced against `columns`, and reports the row
    count and a preview. `description` is the UI's description: say what one row is.

    `prelude`: SQL files (relative to sql/, e.g. "macros/periods.sql") run first on the same
    connection, for TEMP macros the table's SQL uses; they count in the code version.

    `chart`: a function (connection) -> PNG bytes (see assets/report/warehouse_charts.py), drawn
    after the commit and shown in the UI as the materialization's `chart` metadata.

    `config`: a MartParams class whose fields are the SQL's `$name` parameters (run config
    ops.<schema>__<table>.config, defaults in the class); its `problems()` are refused before any SQL
    runs, so the warehouse keeps its last good table."""
    declared = [c.name for c in columns]
    code = "".join(sql(name) for name in (*prelude, f"{schema}/{table}.sql"))
    table_schema = dg.TableSchema(columns=[dg.TableColumn(c.name, c.type, description=c.description) for c in columns])

    decorate = dg.asset(
        key=[schema, table],  # the op name follows from the key (mart__<table>); name= is refused with key=
        description=description,
        # AssetKey is itself a tuple: test it first, or AssetKey(AssetKey(...)) fails.
        deps=[d if isinstance(d, dg.AssetKey) else dg.AssetKey(d) if isinstance(d, (list, tuple)) else d for d in deps],
        group_name=group_name,
        kinds={"duckdb", "sql"},
        pool="duckdb",
        metadata={"dagster/column_schema": table_schema, "dagster/table_name": f"{schema}.{table}"},
        code_version=hashlib.sha256(code.encode()).hexdigest()[:12],
    )

    def build(warehouse: WarehouseResource, params: MartParams | None) -> dg.MaterializeResult:
        values = params.model_dump() if params else {}
        if params and (problems := params.problems()):
            raise dg.Failure(f"{schema}.{table}: run config refused, nothing written:\n" + "\n".join(problems), allow_retries=False)
        with warehouse.get_connection() as conn:
            with transaction(conn):
                for name in prelude:
                    run(conn, name)
                run(conn, f"{schema}/{table}.sql", values)
                built = conn.table(f"{schema}.{table}")
                if built.columns != declared:
                    raise SchemaDrift(f"{schema}.{table}: SQL produced columns {built.columns}, the asset declares {declared}")
            frame = (built.order(order_by) if order_by else built).pl()
            charts = chart_metadata(chart, conn, f"{schema}.{table}") if chart else {}
        return dg.MaterializeResult(metadata={"dagster/row_count": frame.height, "preview": markdown_table(frame), **charts})

    if config is None:
        @decorate
        def _asset(warehouse: WarehouseResource) -> dg.MaterializeResult:
            return build(warehouse, None)
    else:
        @decorate
        def _asset(config: config, warehouse: WarehouseResource) -> dg.MaterializeResult:  # type: ignore[valid-type]
            return build(warehouse, config)
    return _asset


def sql_check(
    schema: str,
    table: str,
    name: str,
    sql_file: str,
    description: str,
    blocking: bool = True,
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
    what: str = "failing row(s)",
) -> dg.AssetChecksDefinition:
    """An asset check on <schema>.<table> that runs the single SELECT in sql/<sql_file> and passes
    when it returns no rows; otherwise the rows are listed in the check's metadata. `blocking`
    (with ERROR severity) stops downstream assets of the same run when the check fails."""

    @dg.asset_check(
        asset=dg.AssetKey([schema, table]),
        name=name,
        description=description,
        blocking=blocking,
        pool="duckdb",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.get_connection() as conn:
            found = query(conn, sql_file)
        return dg.AssetCheckResult(
            passed=found.is_empty(),
            severity=severity,
            description=f"{found.height} {what}" if found.height else None,
            metadata={"failing_rows": found.height, "rows": markdown_table(found, limit=50), "sql": sql_file},
        )

    return _check
