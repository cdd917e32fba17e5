"""What the daily refresh must rebuild besides the prices it fetches: the inputs it compares.

Every table downstream of the prices changes when the prices do. The other tables (registry,
SEC filings and facts, the marts built only from them) change only when their inputs do: the
registry files, the bundled SEC responses, the project's code and SQL, or the resources' settings.
A refresh that completes records two fingerprints as tags on its last run:

- `perpetuum/inputs`: sha256 of those inputs (files by path and content, settings by value);
- `perpetuum/prices`: an order-independent hash of raw.share_prices and raw.corporate_actions.

The next refresh compares them with the current ones: same inputs and same prices, nothing to
rebuild; same inputs, other prices, only the tables that depend on prices; other inputs,
everything. A warehouse whose build ledger (assets/warehouse_state.py) finds tables built from
other inputs than their upstream tables hold now gets those tables (and all built on them) rebuilt first. Only the newest run of the instance counts: after a failed run, or a run launched from
the UI or a schedule, what the warehouse holds is not known here, so everything is rebuilt. Live
SEC data can change at any time, so with PERPETUUM_SEC_USER_AGENT set the inputs never count as
unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from assets.market.assets import CORPORATE_ACTIONS, SHARE_PRICES
from assets.settings import PROJECT_ROOT
from assets.warehouse import WarehouseResource, query
from assets.warehouse_state import check_warehouse, table_of

INPUTS_TAG = "perpetuum/inputs"
PRICES_TAG = "perpetuum/prices"
SIMULATED_TAG = "perpetuum/simulated"  # "true" when the simulation is current with those tables
PRICE_KEYS = (SHARE_PRICES, CORPORATE_ACTIONS)
# The project's code: a changed asset or SQL file may change any table.
CODE_FOLDERS = ("assets", "pipelines", "sql")
CODE_SUFFIXES = (".py", ".sql")


def inputs_fingerprint(resources: dict) -> str | None:
    """sha256 of everything the non-price tables are built from; None when that cannot be known
    (live SEC data)."""
    registry, sec = resources["registry"], resources["sec"]
    if sec.live:
        return None
    digest = hashlib.sha256()
    settings = {"registry_today": registry.today, "sec_tickers": sec.tickers, "sec_max_rps": sec.max_rps}
    digest.update(repr(sorted(settings.items())).encode())
    files = [
        *_files_under([PROJECT_ROOT / folder for folder in CODE_FOLDERS], CODE_SUFFIXES),
        *_files_under([registry.path, Path(sec.snapshot_dir)]),
        Path(sec.companies_file),
        Path(sec.reviews_file),
    ]
    for path in files:
        digest.update(str(path).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def _files_under(folders: list[Path], suffixes: tuple[str, ...] | None = None) -> list[Path]:
    """Every file under `folders` (only those ending in `suffixes`, when given), sorted."""
    return sorted(p for folder in folders for p in folder.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and (suffixes is None or p.suffix in suffixes))


def price_state(warehouse: WarehouseResource) -> str:
    """An order-independent content hash of the raw price tables (empty warehouse included)."""
    with warehouse.get_connection() as conn:
        row = query(conn, "raw/price_state.sql").row(0, named=True)
    return ":".join(str(row[name]) for name in sorted(row))


def missing_tables(warehouse: WarehouseResource, asset_graph, keys: Iterable[dg.AssetKey]) -> list[str]:
    """The tables (metadata `dagster/table_name`) of these assets that the warehouse lacks."""
    wanted = {asset_graph.get(key).metadata.get("dagster/table_name") for key in keys} - {None}
    with warehouse.get_connection() as conn:
        present = set(query(conn, "raw/warehouse_tables.sql")["table_name"])
    return sorted(wanted - present)


@dataclass(frozen=True)
class LastRefresh:
    """The fingerprints of the last refresh that completed in this instance, and its run."""

    run_id: str
    inputs: str
    prices: str
    simulated: bool


def last_completed_refresh(instance: dg.DagsterInstance) -> LastRefresh | None:
    """The fingerprints left by the newest run of this instance, if that run ended a completed
    refresh; None when it did not (a failed run, a run launched from the UI or a schedule: what
    they wrote is unknown here) or when there is no run at all."""
    records = instance.get_run_records(limit=1)  # newest first
    if not records or records[0].dagster_run.status != dg.DagsterRunStatus.SUCCESS:
        return None
    tags = records[0].dagster_run.tags
    if INPUTS_TAG not in tags:
        return None
    return LastRefresh(records[0].dagster_run.run_id, tags[INPUTS_TAG], tags.get(PRICES_TAG, ""), tags.get(SIMULATED_TAG) == "true")


@dataclass(frozen=True)
class Plan:
    """What a refresh runs after fetching prices, and why (printed for the user)."""

    downstream: list[dg.AssetKey]
    simulation_current: bool  # nothing to rebuild, and the last refresh ran the simulation on it
    inputs: str | None
    why: str


def _downstream_keys(defs: dg.Definitions, job: dg.JobDefinition) -> tuple[list[dg.AssetKey], list[dg.AssetKey]]:
    """Every table `job` builds from the prices or besides them, and the part that depends on prices."""
    everything = [k for k in job.asset_layer.executable_asset_keys if k not in PRICE_KEYS]
    on_prices = dg.AssetSelection.assets(*PRICE_KEYS).downstream().resolve(defs.resolve_asset_graph())
    return everything, [k for k in everything if k in on_prices]


def plan_full_rebuild(defs: dg.Definitions) -> Plan:
    """`--full`: every table, whatever is loaded."""
    everything, _ = _downstream_keys(defs, defs.resolve_job_def("full_rebuild"))
    return Plan(everything, False, inputs_fingerprint(defs.resources), "full rebuild")


def plan_refresh(defs: dg.Definitions, instance: dg.DagsterInstance, job: dg.JobDefinition, fetching: bool) -> Plan:
    """The downstream tables of `job` to rebuild after this refresh's price fetch (`fetching`:
    whether it fetches any), and whether the simulation is still current."""
    warehouse: WarehouseResource = defs.resources["warehouse"]
    everything, price_dependent = _downstream_keys(defs, job)
    inputs = inputs_fingerprint(defs.resources)
    last = last_completed_refresh(instance)
    if inputs is None:
        return Plan(everything, False, inputs, "SEC data is fetched live and may have changed: rebuilding every table")
    if stale := check_warehouse(warehouse, defs.resolve_asset_graph()).stale:
        # `stale` holds every table built on a stale one too: rebuilding these (and, with new days, the
        # tables on the prices) leaves every table built from what its inputs hold.
        graph = defs.resolve_asset_graph()
        repair = [k for k in everything if table_of(graph, k) in stale or (fetching and k in price_dependent)]
        return Plan(repair, False, inputs, f"the warehouse is inconsistent ({', '.join(sorted(stale))} built from "
                    "other inputs than their upstream tables hold now): rebuilding those tables first")
    if last is None:
        return Plan(everything, False, inputs, "the newest run in this Dagster instance did not complete a refresh (none yet, "
                    "a failed run, or a run started from the UI or a schedule): rebuilding every table")
    if last.inputs != inputs:
        return Plan(everything, False, inputs, f"registry, SEC data, code or settings changed since run {last.run_id[:8]}, "
                    "the last completed refresh: rebuilding every table")
    if absent := missing_tables(warehouse, defs.resolve_asset_graph(), everything):
        return Plan(everything, False, inputs, f"the warehouse lacks {', '.join(absent)}: rebuilding every table")
    since = f"registry, SEC data, code and settings unchanged since run {last.run_id[:8]}"
    if fetching or last.prices != price_state(warehouse):
        return Plan(price_dependent, False, inputs, f"{since}: rebuilding only the tables that depend on prices")
    return Plan([], last.simulated, inputs, f"{since}, and so are the prices: no table to rebuild")


def record_completed_refresh(instance: dg.DagsterInstance, run_id: str, plan: Plan, warehouse: WarehouseResource, simulated: bool) -> None:
    """Tag the refresh's last run with the fingerprints its tables now reflect."""
    if plan.inputs is not None:
        tags = {INPUTS_TAG: plan.inputs, PRICES_TAG: price_state(warehouse), SIMULATED_TAG: str(simulated).lower()}
        instance.add_run_tags(run_id, tags)
