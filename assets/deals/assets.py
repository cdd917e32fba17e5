"""Dagster assets of the registry: the five raw tables, core.companies, core.deal_flows and their checks."""


import dagster as dg
import polars as pl

from ..metadata import column_schema, markdown_table
from ..warehouse import WarehouseResource, query, run, transaction
from .registry import FILES, RegistryFile
from .resource import RegistryResource
from .rules import Registry, RegistryInvalid, load_registry

GROUP = "registry"
RAW = {spec.table: dg.AssetKey(["raw", spec.table]) for spec in FILES}
CORE_COMPANIES = dg.AssetKey(["core", "companies"])
CORE_DEAL_FLOWS = dg.AssetKey(["core", "deal_flows"])
FILE_CHECK = "file_is_valid"

DESCRIPTIONS = {
    "deals": (
        "One row per announced deal from data/registry/deals.csv: announcement date with its precision (day, "
        "month or quarter; a month or quarter is stored as its first day), parties as written, deal type, headline "
        "amount in USD bn with its basis (up to / approx / exact), GW, term, overlap group and role (rows "
        "describing the same money are never summed), market timing, confidence and the source (URL or "
        "named document, and date)."
    ),
    "deal_terms": (
        "Structured deal terms in long format from data/registry/deal_terms.csv: payment schedules, money "
        "per GW, deployment windows and warrant tranches, each stated, derived (with its rule) or an "
        "assumption (with its reason)."
    ),
    "companies": (
        "Every party named in the deals from data/registry/companies.csv: canonical name, the aliases used "
        "in deals.csv, ticker, exchange, currency, SEC CIK, listed or private, shares outstanding with date "
        "and source where known."
    ),
    "openai_metrics": (
        "OpenAI's reported figures (revenue, losses, costs, cash, users, revenue mix, valuation, "
        "commitments, capacity) and the seed article's figures from data/registry/metrics.csv, each with "
        "period, unit, source and reliability; conflicting reports stay separate rows."
    ),
    "reference_estimates": (
        "Reference estimates from data/registry/estimates.csv: cost per GW, supplier content per GW, "
        "backlogs and share-price reactions as the press printed them, with ranges and sources."
    ),
}
PREVIEW = {
    "deals": ["deal_id", "announced_on", "announced_precision", "buyer", "seller", "deal_type", "amount_usd_bn", "amount_basis", "capacity_gw", "overlap_group", "overlap_role", "confidence"],
    "deal_terms": ["deal_id", "term_type", "item", "period", "value", "unit", "basis"],
    "companies": ["company", "ticker", "exchange", "listed", "sec_cik"],
    "openai_metrics": ["metric_id", "metric", "period", "value", "unit", "reliability", "source_date"],
    "reference_estimates": ["estimate_id", "item", "subject", "period", "value", "unit", "source_date"],
}
KINDS = {"duckdb", "polars", "pandera", "csv"}


def _raw_spec(spec: RegistryFile) -> dg.AssetSpec:
    return dg.AssetSpec(
        RAW[spec.table],
        description=DESCRIPTIONS[spec.table],
        group_name=GROUP,
        kinds=KINDS,
        metadata={
            "dagster/column_schema": column_schema(spec.model),
            "dagster/table_name": f"raw.{spec.table}",
            "registry_file": spec.file,
        },
    )


def _file_check_spec(spec: RegistryFile) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        FILE_CHECK,
        asset=RAW[spec.table],
        blocking=True,
        description=(
            f"Every rule of data/registry/README.md holds for {spec.file}: readable UTF-8 CSV with the "
            "right columns, the pandera model, and the rules across rows and files. On failure the "
            "metadata lists each problem as file:line: column: value — rule, and nothing is written."
        ),
    )


@dg.multi_asset(
    name="registry_files",
    specs=[_raw_spec(spec) for spec in FILES],
    check_specs=[_file_check_spec(spec) for spec in FILES],
    pool="duckdb",
)
def registry_files(context: dg.AssetExecutionContext, warehouse: WarehouseResource, registry: RegistryResource):
    """Reads the five registry files, validates them all (every problem of every file at once), then
    replaces the five raw tables in one transaction. A single problem fails the run before anything
    is written; the same files loaded again give identical tables."""
    folder = registry.path
    context.log.info(f"reading the registry in {folder}")
    try:
        loaded = load_registry(folder, registry.today_date())
    except RegistryInvalid as exc:
        for spec in FILES:
            yield _file_check(spec, [str(p) for p in exc.found if p.file == spec.file])
        raise dg.Failure(description=str(exc), metadata={"problems": len(exc.found)}, allow_retries=False) from exc

    with warehouse.get_connection() as conn:
        with transaction(conn):
            run(conn, "raw/replace_registry.sql", **{table: loaded.frame(table) for table in RAW})
    for spec in FILES:
        yield _materialization(loaded, spec)
        yield _file_check(spec, [])


def _materialization(loaded: Registry, spec: RegistryFile) -> dg.MaterializeResult:
    table = loaded.tables[spec.table]
    return dg.MaterializeResult(
        asset_key=RAW[spec.table],
        # The file's content hash: the UI tells a reload of the same file from a changed one.
        data_version=dg.DataVersion(table.sha256),
        metadata={
            "dagster/row_count": table.frame.height,
            "path": dg.MetadataValue.path(str(loaded.folder / spec.file)),
            "sha256": table.sha256,
            "preview": markdown_table(table.frame.select(PREVIEW[spec.table])),
        },
    )


def _file_check(spec: RegistryFile, problems: list[str]) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=RAW[spec.table],
        check_name=FILE_CHECK,
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "problems": len(problems),
            "listing": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in problems) or "none"),
        },
    )


CORE_COMPANIES_COLUMNS = dg.TableSchema(
    columns=[
        dg.TableColumn("company", "VARCHAR", description="Canonical name (company, consortium label or vehicle)"),
        dg.TableColumn("aliases", "VARCHAR[]", description="Other spellings that resolve to it"),
        dg.TableColumn("ticker", "VARCHAR", description="Yahoo-style ticker; null if not listed"),
        dg.TableColumn("exchange", "VARCHAR", description="Listing exchange"),
        dg.TableColumn("currency", "VARCHAR", description="Trading (or reporting) currency"),
        dg.TableColumn("sec_cik", "VARCHAR", description="10-digit SEC CIK for SEC filers"),
        dg.TableColumn("listed", "BOOLEAN", description="Shares trade on an exchange"),
        dg.TableColumn("shares_outstanding_m", "DOUBLE", description="Shares outstanding, millions, where known"),
        dg.TableColumn("shares_outstanding_date", "DATE", description="Date of that share count"),
        dg.TableColumn("shares_source_url", "VARCHAR", description="Source of the share count"),
        dg.TableColumn("note", "VARCHAR", description="Context"),
    ]
)

CORE_DEAL_FLOWS_COLUMNS = dg.TableSchema(
    columns=[
        dg.TableColumn("flow_id", "VARCHAR", description="deal_id:kind"),
        dg.TableColumn("deal_id", "VARCHAR", description="The deal in raw.deals"),
        dg.TableColumn("payer", "VARCHAR", description="Company the money or value comes from (canonical name)"),
        dg.TableColumn("payee", "VARCHAR", description="Company it goes to (canonical name)"),
        dg.TableColumn("kind", "VARCHAR", description="equity (investor pays investee), purchase_commitment (customer pays supplier), warrant (issuer gives holder), backstop (guarantor to beneficiary)"),
        dg.TableColumn("amount_usd_bn", "DOUBLE", description="Headline amount in USD bn; null when undisclosed"),
        dg.TableColumn("amount_basis", "VARCHAR", description="up to, approx or exact"),
        dg.TableColumn("capacity_gw", "DOUBLE", description="Gigawatts covered"),
        dg.TableColumn("overlap_group", "VARCHAR", description="Rows describing the same money"),
        dg.TableColumn("overlap_role", "VARCHAR", description="counted, overlaps or umbrella"),
        dg.TableColumn("counts_in_totals", "BOOLEAN", description="Sum amounts only where true: one row per overlap group, no umbrella programmes"),
        dg.TableColumn("confidence", "VARCHAR", description="confirmed_press_release or reported_by_press"),
        dg.TableColumn("announced_on", "DATE", description="First announcement or report: the day, or the first day of its month or quarter (see announced_precision)"),
        dg.TableColumn("announced_precision", "VARCHAR", description="day, month or quarter: how precisely the sources date the announcement; only 'day' can be placed on a trading session"),
        dg.TableColumn("start_period", "VARCHAR", description="Start of the term (period syntax)"),
        dg.TableColumn("end_period", "VARCHAR", description="End of the term (period syntax)"),
        dg.TableColumn("source_url", "VARCHAR", description="Source page"),
        dg.TableColumn("source_document", "VARCHAR", description="Named source document when there is no URL"),
        dg.TableColumn("source_date", "DATE", description="Publication date of the source"),
    ]
)


@dg.asset(
    key=CORE_COMPANIES,
    deps=[RAW["companies"]],
    group_name=GROUP,
    kinds={"duckdb"},
    pool="duckdb",
    metadata={"dagster/column_schema": CORE_COMPANIES_COLUMNS, "dagster/table_name": "core.companies"},
    code_version="1",
)
def core_companies(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per party of the deals (listed and private companies, consortium labels, vehicles)
    with its aliases as a list, ticker, exchange, CIK and share count. Built by sql/core/companies.sql."""
    with warehouse.get_connection() as conn:
        with transaction(conn):
            run(conn, "core/companies.sql")
        preview = query(conn, "core/companies_preview.sql")
    return dg.MaterializeResult(metadata={"dagster/row_count": preview.height, "companies": markdown_table(preview, limit=100)})


@dg.asset(
    key=CORE_DEAL_FLOWS,
    deps=[RAW["deals"], CORE_COMPANIES],
    group_name=GROUP,
    kinds={"duckdb"},
    pool="duckdb",
    metadata={"dagster/column_schema": CORE_DEAL_FLOWS_COLUMNS, "dagster/table_name": "core.deal_flows"},
    code_version="2",
)
def core_deal_flows(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per flow of money or value announced in the deals: payer and payee as canonical
    companies, kind (equity, purchase_commitment, warrant, backstop), amount in USD bn (null when
    undisclosed) with its basis, GW, overlap group and whether it counts in totals, confidence and
    source. Money flows from payer to payee: investor to investee, customer to supplier, warrant
    issuer to holder, guarantor to beneficiary. Built by sql/core/deal_flows.sql."""
    with warehouse.get_connection() as conn:
        with transaction(conn):
            run(conn, "core/deal_flows.sql")
        totals = query(conn, "core/deal_flow_totals.sql")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(totals["flows"].sum()),
            "totals_usd_bn": markdown_table(totals, limit=10),
            "counted_usd_bn": float(totals["counted_usd_bn"].fill_null(0).sum()),
            "all_rows_usd_bn": float(totals["all_rows_usd_bn"].fill_null(0).sum()),
        }
    )


def _no_rows(warehouse: WarehouseResource, sql_file: str, what: str) -> dg.AssetCheckResult:
    """Pass when the check query returns no rows; otherwise list them."""
    with warehouse.get_connection() as conn:
        found: pl.DataFrame = query(conn, sql_file)
    return dg.AssetCheckResult(
        passed=found.is_empty(),
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{found.height} {what}" if found.height else None,
        metadata={"failing_rows": found.height, "rows": markdown_table(found, limit=50)},
    )


@dg.asset_check(asset=CORE_DEAL_FLOWS, blocking=True, pool="duckdb")
def flow_parties_are_companies(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Every flow has a mapped kind and a payer and payee that are rows of core.companies."""
    return _no_rows(warehouse, "core/check_flow_parties.sql", "flow(s) with an unknown party or kind")


@dg.asset_check(asset=CORE_DEAL_FLOWS, blocking=True, pool="duckdb")
def one_flow_per_deal(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Every deal of raw.deals has exactly one flow, and every flow belongs to a deal."""
    return _no_rows(warehouse, "core/check_one_flow_per_deal.sql", "deal(s) without exactly one flow")


@dg.asset_check(asset=CORE_DEAL_FLOWS, blocking=True, pool="duckdb")
def overlap_groups_counted_once(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Summing amount_usd_bn WHERE counts_in_totals takes exactly one row of each overlap group and
    none of an umbrella group, so no money is counted twice."""
    return _no_rows(warehouse, "core/check_overlap_groups.sql", "overlap group(s) counted other than once")


@dg.asset_check(asset=CORE_COMPANIES, blocking=True, pool="duckdb")
def company_names_resolve_once(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Every company name and alias points to exactly one company, so deal parties resolve unambiguously."""
    return _no_rows(warehouse, "core/check_company_names.sql", "name(s) pointing to more than one company")
