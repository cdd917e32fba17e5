"""Dagster assets of the filings group: SEC company facts, recent filings and 8-K deal candidates."""

from datetime import datetime, timezone
from pathlib import Path

import dagster as dg
import polars as pl

from assets.sec import SecError, eight_k_candidates

from ..metadata import column_schema, markdown_table
from ..validation import ValidationFailed, validate
from ..warehouse import WarehouseResource, query, run, transaction
from .companies import WatchListError
from .fetch import Batch, fetch_facts, fetch_filings
from .resource import SecResource
from .reviews import load_reviews
from .schemas import DealCandidates, SecCompanyFacts, SecFilings

SEC_COMPANY_FACTS = dg.AssetKey(["raw", "sec_company_facts"])
SEC_FILINGS = dg.AssetKey(["raw", "sec_filings"])
DEAL_CANDIDATES = dg.AssetKey(["raw", "deal_candidates"])
GROUP = "filings"

# Only worth retrying: the SEC's throttle (it blocks for ~10 minutes), network errors, 5xx after the
# transport's own retries. Exponential: about 1, 3 and 7 minutes (±1 minute), 11 minutes in all.
RETRYABLE_KINDS = frozenset({"throttled", "network", "http"})
SEC_RETRY_POLICY = dg.RetryPolicy(max_retries=3, delay=60, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def sec_failure(exc: SecError) -> dg.Failure:
    """A throttle or outage may pass on a retry; a 404 or a malformed document will not."""
    retry = exc.kind in RETRYABLE_KINDS
    hints = {
        "not_found": "check the sec_cik in companies.csv and PERPETUUM_SEC_BASE_URL",
        "forbidden": "the SEC refused the request: check PERPETUUM_SEC_USER_AGENT (a name and a contact e-mail)",
        "invalid_cik": "fix the sec_cik in companies.csv",
    }
    hint = (
        " — will be retried with exponential backoff"
        if retry
        else " — not retried: " + hints.get(exc.kind, "the answer is not a usable SEC document; a retry would get the same")
    )
    return dg.Failure(
        description=str(exc) + hint,
        metadata={"cik": exc.cik, "endpoint": exc.endpoint, "kind": exc.kind},
        allow_retries=retry,
    )


def _fetch(context: dg.AssetExecutionContext, sec: SecResource, fetch) -> Batch:
    try:
        companies = sec.watched()
        context.log.info(f"{len(companies)} watched companies ({', '.join(c.ticker for c in companies)}) from {sec.mode}")
        batch = fetch(sec.source(), companies, datetime.now(timezone.utc), context.log.debug)
    except SecError as exc:
        raise sec_failure(exc) from exc
    except (WatchListError, ValidationFailed) as exc:
        raise dg.Failure(str(exc), allow_retries=False) from exc
    for ticker, why in batch.missing.items():
        context.log.warning(f"{ticker}: {why}")
    return batch


def _company_metadata(batch: Batch, sec: SecResource) -> dict:
    return {
        "sec_source": sec.mode,
        "per_company": markdown_table(batch.summary(), limit=len(batch.reports)),
        "companies_without_data": dg.MetadataValue.json(batch.missing),
        "offline_retrieved": dg.MetadataValue.json({r.ticker: r.retrieved for r in batch.reports if r.retrieved}),
        "batch_rows": batch.frame.height,
    }


def build_sec_assets(retry_policy: dg.RetryPolicy | None = SEC_RETRY_POLICY) -> list[dg.AssetsDefinition]:
    """The three assets of the filings group and the facts check.

    `retry_policy` applies to the two HTTP assets (tests pass one without delay: execute_in_process
    ignores the executor's `retries: disabled`).
    """

    @dg.asset(
        key=SEC_COMPANY_FACTS,
        description=(
            "XBRL facts from SEC EDGAR companyfacts for every listed company in companies.csv with a "
            "CIK: revenue (RevenueFromContractWithCustomerExcludingAssessedTax, else Revenues, chosen "
            "per period), NetIncomeLoss, PaymentsToAcquirePropertyPlantAndEquipment (capex), "
            "RevenueRemainingPerformanceObligation (rpo) and dei:EntityCommonStockSharesOutstanding. "
            "One row per company, metric, unit and period: the many reports of one figure are merged "
            "by the SEC frame rule, then the latest filing (proxy statements last), never summed. "
            "Offline snapshot by default; live when PERPETUUM_SEC_USER_AGENT is set. A company without "
            "offline data is listed in the metadata. The fetched companies' rows are replaced in one transaction."
        ),
        group_name=GROUP,
        kinds={"duckdb", "polars", "pandera"},
        pool="duckdb",
        retry_policy=retry_policy,
        metadata={"dagster/column_schema": column_schema(SecCompanyFacts), "dagster/table_name": "raw.sec_company_facts"},
    )
    def sec_company_facts(context: dg.AssetExecutionContext, warehouse: WarehouseResource, sec: SecResource) -> dg.MaterializeResult:
        batch = _fetch(context, sec, fetch_facts)
        with warehouse.get_connection() as conn:
            with transaction(conn):
                run(conn, "raw/upsert_sec_company_facts.sql", {"ciks": batch.fetched_ciks}, batch=batch.frame)
            table_rows = query(conn, "raw/sec_table_rows.sql")["sec_company_facts"][0]
        latest = batch.frame.sort("end", "ticker", descending=[True, False]).select(
            "ticker", "metric", "concept", "start", "end", "val", "unit", "form", "filed", "frame"
        )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": int(table_rows),
                **_company_metadata(batch, sec),
                "latest_facts": markdown_table(latest),
            }
        )


    @dg.asset_check(
        asset=SEC_COMPANY_FACTS,
        name="one_row_per_period",
        description="No period of a company's metric is stored twice (a figure is never counted twice).",
        blocking=True,
        pool="duckdb",
    )
    def sec_facts_one_row_per_period(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.get_connection() as conn:
            duplicates = query(conn, "raw/sec_company_facts_duplicates.sql")
        return dg.AssetCheckResult(
            passed=duplicates.is_empty(),
            metadata={"duplicated_periods": duplicates.height, "examples": markdown_table(duplicates)},
        )


    @dg.asset(
        key=SEC_FILINGS,
        description=(
            "Recent filings (SEC submissions API, filings.recent) of the watched companies: 8-K and "
            "8-K/A with their items, 10-K, 10-Q (and amendments, 20-F) with the main document's URL. "
            "Insider and holder forms (3/4/5, 144, SC 13G) are left out. Offline snapshot by default; "
            "a company without offline data is listed in the metadata."
        ),
        group_name=GROUP,
        kinds={"duckdb", "polars", "pandera"},
        pool="duckdb",
        retry_policy=retry_policy,
        metadata={"dagster/column_schema": column_schema(SecFilings), "dagster/table_name": "raw.sec_filings"},
    )
    def sec_filings(context: dg.AssetExecutionContext, warehouse: WarehouseResource, sec: SecResource) -> dg.MaterializeResult:
        batch = _fetch(context, sec, fetch_filings)
        with warehouse.get_connection() as conn:
            with transaction(conn):
                run(conn, "raw/upsert_sec_filings.sql", {"ciks": batch.fetched_ciks}, batch=batch.frame)
            table_rows = query(conn, "raw/sec_table_rows.sql")["sec_filings"][0]
        recent = batch.frame.sort("filing_date", "accession_number", descending=True).select(
            "ticker", "form", "filing_date", "items", "accession_number", "document_url"
        )
        return dg.MaterializeResult(
            metadata={"dagster/row_count": int(table_rows), **_company_metadata(batch, sec), "latest_filings": markdown_table(recent)}
        )


    @dg.asset(
        key=DEAL_CANDIDATES,
        deps=[SEC_FILINGS],
        description=(
            "8-K filings with Item 1.01 (entry into a material definitive agreement) from the watched "
            "companies: candidates for deals.csv, e.g. AMD's 8-K of 2025-10-06 on the OpenAI agreement "
            "and warrant. status is 'new' until a person records a decision (reviewed, added, "
            "dismissed) in data/registry/candidate_reviews.csv; every run applies that file, so a "
            "rerun never resets a decision. Candidates are never deleted."
        ),
        group_name=GROUP,
        kinds={"duckdb", "polars", "pandera"},
        pool="duckdb",
        metadata={"dagster/column_schema": column_schema(DealCandidates), "dagster/table_name": "raw.deal_candidates"},
    )
    def deal_candidates(context: dg.AssetExecutionContext, warehouse: WarehouseResource, sec: SecResource) -> dg.MaterializeResult:
        reviews_path = Path(sec.reviews_file)
        try:
            reviews = load_reviews(reviews_path)
        except ValidationFailed as exc:
            raise dg.Failure(str(exc), allow_retries=False) from exc
        if not reviews_path.is_file():
            context.log.warning(f"{reviews_path} not found: every candidate is 'new'")
        now = pl.lit(datetime.now(timezone.utc)).cast(pl.Datetime("us", "UTC"))
        with warehouse.get_connection() as conn:
            filings = query(conn, "raw/sec_filings_all.sql")
            tickers = filings.select("cik", "accession_number", "ticker")
            batch = (
                eight_k_candidates(filings)
                .join(tickers, on=["cik", "accession_number"], how="left")
                .join(reviews.select("accession_number", "status", pl.col("note").alias("review_note")), on="accession_number", how="left")
                .with_columns(pl.col("status").fill_null("new"), now.alias("first_seen_at"))
                .select(list(DealCandidates.to_schema().columns))
            )
            try:
                batch = validate(DealCandidates, batch, "raw.deal_candidates batch", lambda r: f"{r['ticker']} {r['accession_number']}")
            except ValidationFailed as exc:
                raise dg.Failure(str(exc), allow_retries=False) from exc
            with transaction(conn):
                run(conn, "raw/upsert_deal_candidates.sql", candidates=batch, reviews=reviews.select("accession_number", "status", "note"))
            table = query(conn, "raw/deal_candidates_list.sql")
        by_status = dict(table.group_by("status").len().sort("status").iter_rows())
        unknown = sorted(set(reviews["accession_number"]) - set(table["accession_number"]))
        if unknown:
            context.log.warning(f"{reviews_path.name}: no candidate has accession number(s) {', '.join(unknown)}")
        context.log.info(f"deal candidates by status: {by_status}")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": table.height,
                "by_status": dg.MetadataValue.json(by_status),
                "new": by_status.get("new", 0),
                "candidates": markdown_table(table, limit=20),
                "reviews_file": dg.MetadataValue.path(str(reviews_path)),
                "reviews_without_candidate": dg.MetadataValue.json(unknown),
            }
        )

    return [sec_company_facts, sec_filings, deal_candidates, sec_facts_one_row_per_period]
