"""The warehouse's tables as Dagster defines them: key, table name, description, column schema,
upstream tables, checks. Read from the Definitions the UI loads, so the two never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg

from pipelines.definitions import build_definitions


@dataclass(frozen=True)
class Table:
    key: dg.AssetKey
    name: str  # schema.table, the asset's dagster/table_name
    description: str
    columns: list[dg.TableColumn]
    upstream: list[dg.AssetKey]
    checks: list[dg.AssetCheckKey] = field(default_factory=list)
    has_freshness_policy: bool = False


def _value(metadata: dict, name: str):
    value = metadata.get(name)
    return getattr(value, "value", value)


def tables(defs: dg.Definitions) -> list[Table]:
    """Every asset that is a warehouse table, by table name."""
    graph = defs.resolve_asset_graph()
    checks: dict[dg.AssetKey, list[dg.AssetCheckKey]] = {}
    for check_key in sorted(graph.asset_check_keys, key=lambda k: k.name):
        checks.setdefault(check_key.asset_key, []).append(check_key)
    found = []
    for spec in defs.resolve_all_asset_specs():
        name = _value(spec.metadata, "dagster/table_name")
        if not name:
            continue
        schema = _value(spec.metadata, "dagster/column_schema")
        found.append(Table(
            key=spec.key, name=str(name), description=spec.description or "",
            columns=list(schema.columns) if schema else [],
            upstream=sorted(graph.get(spec.key).parent_keys, key=lambda k: k.to_user_string()),
            checks=checks.get(spec.key, []),
            has_freshness_policy=spec.freshness_policy is not None,
        ))
    return sorted(found, key=lambda t: t.name)


def load() -> list[Table]:
    """The tables of the Definitions built from the PERPETUUM_* settings."""
    from pipelines.cli.common import settings

    return tables(build_definitions(settings()))
