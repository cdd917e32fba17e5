"""The build ledger: which inputs each derived table of the warehouse was built from.

A *derived* table is one whose asset has upstream tables in the asset graph (`core.*`, `mart.*`,
`sim.*`, `raw.deal_candidates`); the others (`raw.*` as fetched or loaded) are *roots*. When an
asset's step commits its write (`warehouse.transaction`), `record_step_builds` writes, in that same
transaction, one row per table of the step (and partition) to `meta.build_state`: a fingerprint of
its upstream tables as that transaction saw them. A root counts by its content (rows and an
order-independent hash, sql/meta/table_content.sql), a derived table by its own ledger entry.

`check` recomputes every fingerprint from what the warehouse holds now. A table (or scenario) whose
entry differs was built from other inputs than its upstream tables hold — a run failed between two
steps, say after the prices and one scenario were written — and so is every table built on it.
The refresh prints the verdict and rebuilds every table when it is not consistent. A table or
partition with no entry has not been built yet (or was built before the ledger existed); it is not
called inconsistent, but a table built on it is, once it is built.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import dagster as dg
import duckdb

from .warehouse import WarehouseResource, query, run


Lineage = dict[str, tuple[str, ...]]  # table -> its upstream tables (none for a root)


def table_of(asset_graph, key: dg.AssetKey) -> str | None:
    """The asset's warehouse table (metadata `dagster/table_name`), None for a non-table asset."""
    name = asset_graph.get(key).metadata.get("dagster/table_name")
    return str(getattr(name, "value", name)) if name else None


def parent_tables(asset_graph, key: dg.AssetKey) -> tuple[str, ...]:
    """The tables the asset is built from (its deps that are tables)."""
    return tuple(sorted({t for p in asset_graph.get(key).parent_keys if (t := table_of(asset_graph, p))}))


def lineage(asset_graph) -> Lineage:
    """Every table of the asset graph with its upstream tables (Dagster's deps)."""
    return {table: parent_tables(asset_graph, key) for key in asset_graph.get_all_asset_keys() if (table := table_of(asset_graph, key))}


@dataclass
class _Fingerprints:
    """What the tables hold as `conn` sees them: a table with ledger entries counts by them (a
    derived table, by what it was built from), any other by its content."""

    conn: duckdb.DuckDBPyConnection
    entries: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> part -> inputs
    versions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for table, part, inputs in query(self.conn, "meta/build_state.sql").iter_rows():
            self.entries.setdefault(table, {})[part] = inputs

    def version(self, table: str) -> str:
        if table not in self.versions:
            if table in self.entries:
                self.versions[table] = ",".join(f"{p}={i}" for p, i in sorted(self.entries[table].items()))
            else:
                row = query(self.conn, "meta/table_content.sql", {"table": table}).row(0)
                self.versions[table] = f"{row[0]}:{row[1]}"
        return self.versions[table]

    def inputs(self, parents: tuple[str, ...]) -> str:
        """The fingerprint of these upstream tables now."""
        text = "\n".join(f"{parent}={self.version(parent)}" for parent in parents)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _current_step() -> dg.OpExecutionContext | None:
    try:
        context = dg.OpExecutionContext.get()
    except dg.DagsterInvariantViolationError:
        return None
    return context if context is not None and context.has_assets_def else None


def record_step_builds(conn: duckdb.DuckDBPyConnection) -> None:
    """Inside an asset step's write transaction, before its COMMIT: record every derived table the
    step materializes (for its partition) as built from its upstream tables as they are now.
    Outside a step (tests, benchmarks, scripts) nothing is recorded. Every asset writes its tables
    in one transaction per step, so what is recorded is what that transaction wrote."""
    context = _current_step()
    if context is None:
        return
    graph = context.job_def.asset_layer.asset_graph  # the job's assets and their deps
    selected = context.selected_asset_keys
    # Parents first, and the ledger read again after each entry: a step that builds a table and one
    # derived from it (core.companies and core.deal_flows) records the child against the parent's new entry.
    for key in (k for k in graph.toposorted_asset_keys if k in selected):
        table, parents = table_of(graph, key), parent_tables(graph, key)
        if table and parents:
            # An unpartitioned table in a partitioned run (the daily refresh's price month) has one entry.
            part = context.partition_key if graph.get(key).is_partitioned and context.has_partition_key else ""
            inputs = _Fingerprints(conn).inputs(parents)
            run(conn, "meta/record_build.sql", {"table_name": table, "part": part, "inputs": inputs})


@dataclass(frozen=True)
class Consistency:
    """The verdict of `check`: derived tables with an entry, and those built from other inputs."""

    built: int  # derived tables with at least one ledger entry
    stale: dict[str, tuple[str, ...]]  # table -> its stale partitions ('' when unpartitioned)

    @property
    def consistent(self) -> bool:
        return not self.stale

    def describe(self) -> str:
        """One line for the refresh's summary."""
        if self.consistent:
            return f"consistent: each of its {self.built} built derived tables was built from what its inputs hold now"
        names = [t + (f" ({', '.join(p for p in parts)})" if parts != ("",) else "") for t, parts in sorted(self.stale.items())]
        return (f"INCONSISTENT: {len(names)} tables were built from other inputs than their upstream tables hold now "
                f"(e.g. a run failed part-way): {', '.join(names)}; the next refresh rebuilds those tables first")


def check(conn: duckdb.DuckDBPyConnection, tables: Lineage) -> Consistency:
    """Compare every ledger entry with the fingerprint of its table's upstream tables now; a table
    built on a stale one is stale too."""
    prints = _Fingerprints(conn)
    stale: dict[str, tuple[str, ...]] = {}
    done: set[str] = set()

    def visit(table: str) -> None:
        if table in done:
            return
        done.add(table)
        parents = tables.get(table, ())
        for parent in parents:
            visit(parent)
        built = prints.entries.get(table, {})
        if not parents or not built:
            return
        upstream_stale = any(parent in stale for parent in parents)
        expected = prints.inputs(parents)
        parts = tuple(p for p, inputs in sorted(built.items()) if upstream_stale or inputs != expected)
        if parts:
            stale[table] = parts

    for table in tables:
        visit(table)
    built = sum(1 for table, parents in tables.items() if parents and table in prints.entries)
    return Consistency(built, stale)


def check_warehouse(warehouse: WarehouseResource, asset_graph) -> Consistency:
    """`check` on the resource's file, with the lineage of `asset_graph`."""
    with warehouse.get_connection() as conn:
        return check(conn, lineage(asset_graph))
