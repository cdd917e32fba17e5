"""Every registry rule with a real failing example: break one thing in a copy of the real registry,
materialize for real, and check the exact message (file:line: column: value — rule) and that the
warehouse kept every table as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pytest
from tests.deals.registry_testdata import edit, edit_line, line_of, materialize, read_rows, write_rows

from assets.deals.registry import FILES
from tests.integration.conftest import table_hashes

DEALS_HEADER = ",".join(next(spec for spec in FILES if spec.file == "deals.csv").columns)
NUMBER_RULE = "must be a number (digits with '.' for decimals; no units, no thousands separators)"
SOURCE_RULE = "required: a source_url (http/https) or, without one, the document named in source_document"


# Each case breaks the registry in `folder` and returns the exact line the failure must contain.
def negative_amount(f: Path) -> str:
    line = edit(f, "deals.csv", "NVDA-OAI-2026-02-EQUITY", amount_usd_bn="-5")
    return f"deals.csv:{line}: amount_usd_bn: -5 — must be non-negative"


def amount_with_unit(f: Path) -> str:
    line = edit(f, "deals.csv", "NVDA-OAI-2026-02-EQUITY", amount_usd_bn="30 bn")
    return f"deals.csv:{line}: amount_usd_bn: '30 bn' — {NUMBER_RULE}"


def thousands_separator(f: Path) -> str:
    line = edit(f, "metrics.csv", "M027", value="1,000,000")
    return f"metrics.csv:{line}: value: '1,000,000' — {NUMBER_RULE}"


def unknown_deal_type(f: Path) -> str:
    line = edit(f, "deals.csv", "AMD-OAI-2025-10-SUPPLY", deal_type="gpu_supply")
    allowed = "equity_investment, chip_supply, cloud_contract, compute_purchase, warrant, loan_guarantee"
    return f"deals.csv:{line}: deal_type: 'gpu_supply' — must be one of: {allowed}"


def unknown_party(f: Path) -> str:
    line = edit(f, "deals.csv", "ORCL-AMD-2025-10", seller="Foo Corp")
    return f"deals.csv:{line}: seller: 'Foo Corp' — not a company or alias in companies.csv"


def party_alias_with_typo(f: Path) -> str:
    line = edit(f, "deals.csv", "AMD-OAI-2025-10-WARRANT", buyer="OpenAI OpCo LLC")
    return f"deals.csv:{line}: buyer: 'OpenAI OpCo LLC' — not a company or alias in companies.csv"


def buyer_is_seller(f: Path) -> str:
    line = edit(f, "deals.csv", "NVDA-INTC-2025-09", seller="NVIDIA Corporation")
    return f"deals.csv:{line}: seller: 'NVIDIA Corporation' — buyer and seller are the same company (NVIDIA)"


def duplicate_deal_id(f: Path) -> str:
    second = line_of(f, "deals.csv", "CRWV-OAI-2025-09")
    first = edit(f, "deals.csv", "CRWV-OAI-2025-05", deal_id="CRWV-OAI-2025-09")
    return f"deals.csv:{second}: deal_id: 'CRWV-OAI-2025-09' — duplicate of line {first}; each deal_id must be unique"


def duplicate_metric_id(f: Path) -> str:
    line = edit(f, "metrics.csv", "M002", metric_id="M001")
    return f"metrics.csv:{line}: metric_id: 'M001' — duplicate of line {line - 1}; each metric_id must be unique"


def date_in_future(f: Path) -> str:
    line = edit(f, "deals.csv", "META-AMD-2026-02-SUPPLY", announced_on="2027-02-24")
    return f"deals.csv:{line}: announced_on: '2027-02-24' — must not be after today (2026-11-23)"


def date_more_precise_than_its_precision(f: Path) -> str:
    line = edit(f, "deals.csv", "CRWV-OAI-2025-05", announced_on="2025-05-01")
    rule = "more precise than announced_precision 'month': write a month YYYY-MM (never a day or month the source does not give)"
    return f"deals.csv:{line}: announced_on: '2025-05-01' — {rule}"


def month_where_precision_is_day(f: Path) -> str:
    line = edit(f, "deals.csv", "AVGO-OAI-2025-10", announced_on="2025-10")
    return f"deals.csv:{line}: announced_on: '2025-10' — announced_precision 'day' needs a date YYYY-MM-DD"


def announced_in_words(f: Path) -> str:
    line = edit(f, "deals.csv", "NVDA-CRWV-2025-09-BACKSTOP", announced_on="Sept 2025")
    return f"deals.csv:{line}: announced_on: 'Sept 2025' — must be a date YYYY-MM-DD, a month YYYY-MM or a quarter YYYY-Q1..YYYY-Q4"


def unknown_precision(f: Path) -> str:
    line = edit(f, "deals.csv", "CRWV-OAI-2025-05", announced_precision="approx")
    return f"deals.csv:{line}: announced_precision: 'approx' — must be one of: day, month, quarter"


def announced_after_its_source(f: Path) -> str:
    line = edit(f, "deals.csv", "CRWV-OAI-2025-09", announced_on="2025-09-26")
    return f"deals.csv:{line}: announced_on: '2025-09-26' — after source_date (2025-09-25): a source cannot report a deal before it is announced"


def day_precise_but_called_approximate(f: Path) -> str:
    _, rows = read_rows(f, "deals.csv")
    header, _ = read_rows(f, "deals.csv")
    terms = next(r for r in rows if r[0] == "NVDA-CRWV-2025-09-BACKSTOP")[header.index("terms")]
    line = edit(f, "deals.csv", "NVDA-CRWV-2025-09-BACKSTOP", announced_on="2025-09-15", announced_precision="day", terms=f"DATE APPROX: {terms}")
    rule = "terms say the date is approximate ('DATE APPROX'): use month or quarter, or drop the marker once a source gives the day"
    return f"deals.csv:{line}: announced_precision: 'day' — {rule}"


def month_precise_but_timed(f: Path) -> str:
    line = edit(f, "deals.csv", "CRWV-OAI-2025-05", event_timing="before_open")
    return f"deals.csv:{line}: event_timing: 'before_open' — must be unknown when announced_precision is 'month': only a dated day has a session"


def source_date_in_future(f: Path) -> str:
    line = edit(f, "estimates.csv", "E031", source_date="2026-11-24")
    return f"estimates.csv:{line}: source_date: '2026-11-24' — must not be after today (2026-11-23)"


def date_not_iso(f: Path) -> str:
    line = edit(f, "deals.csv", "NVDA-OAI-2025-09-LOI-EQUITY", source_date="22.09.2025")
    return f"deals.csv:{line}: source_date: '22.09.2025' — must be a date YYYY-MM-DD"


def date_impossible(f: Path) -> str:
    line = edit(f, "metrics.csv", "M013", source_date="2025-02-30")
    return f"metrics.csv:{line}: source_date: '2025-02-30' — must be a date YYYY-MM-DD"


def source_date_missing(f: Path) -> str:
    line = edit_line(f, "deal_terms.csv", 2, source_date="")
    return f"deal_terms.csv:{line}: source_date: (empty) — required (the cell is empty)"


def source_url_not_http(f: Path) -> str:
    line = edit(f, "deals.csv", "AMD-OAI-2025-10-SUPPLY", source_url="www.nasdaq.com/articles/openai-deploy-6-gigawatts-amd-gpus")
    return f"deals.csv:{line}: source_url: 'www.nasdaq.com/articles/openai-deploy-6-gigawatts-amd-gpus' — must be an http(s) URL"


def source_url_ftp(f: Path) -> str:
    line = edit(f, "estimates.csv", "E001", source_url="ftp://livemint.com/nvidia.html")
    return f"estimates.csv:{line}: source_url: 'ftp://livemint.com/nvidia.html' — must be an http(s) URL"


def no_source_at_all(f: Path) -> str:
    line = edit(f, "metrics.csv", "M051", source_document="")
    return f"metrics.csv:{line}: source_url: (empty) — {SOURCE_RULE}"


def deal_without_source(f: Path) -> str:
    line = edit(f, "deals.csv", "CRWV-OAI-2025-09", source_url="")
    return f"deals.csv:{line}: source_url: (empty) — {SOURCE_RULE}"


def amount_without_basis(f: Path) -> str:
    line = edit(f, "deals.csv", "NVDA-INTC-2025-09", amount_basis="")
    return f"deals.csv:{line}: amount_basis: (empty) — required when amount_usd_bn is given: up to, approx or exact"


def basis_without_amount(f: Path) -> str:
    line = edit(f, "deals.csv", "AMD-OAI-2025-10-SUPPLY", amount_basis="approx")
    return f"deals.csv:{line}: amount_basis: 'approx' — must be empty when amount_usd_bn is empty (no amount, no basis)"


def unknown_basis(f: Path) -> str:
    line = edit(f, "deals.csv", "CRWV-OAI-2025-05", amount_basis="about")
    return f"deals.csv:{line}: amount_basis: 'about' — must be one of: up to, approx, exact"


def capacity_zero(f: Path) -> str:
    line = edit(f, "deals.csv", "AVGO-OAI-2025-10", capacity_gw="0")
    return f"deals.csv:{line}: capacity_gw: 0 — must be positive"


def capacity_negative(f: Path) -> str:
    line = edit(f, "deals.csv", "OAI-CBRS-2026-01", capacity_gw="-0.75")
    return f"deals.csv:{line}: capacity_gw: -0.75 — must be positive"


def money_per_gw_without_gw(f: Path) -> str:
    line = edit(f, "deals.csv", "NVDA-OAI-2025-09-LOI-EQUITY", capacity_gw="")
    _, rows = read_rows(f, "deal_terms.csv")
    term = next(i for i, r in enumerate(rows) if r[0] == "NVDA-OAI-2025-09-LOI-EQUITY" and r[5] == "USD bn per GW") + 2
    return f"deals.csv:{line}: capacity_gw: (empty) — required: deal_terms.csv:{term} gives money per GW for this deal"


def overlap_group_typo(f: Path) -> str:
    line = edit(f, "deals.csv", "NVDA-OAI-2026-02-EQUITY", overlap_group="NVDA-OAI-EQUTY")
    rule = "no other deal has this group; a group needs at least two deals (or overlap_role umbrella)"
    return f"deals.csv:{line}: overlap_group: 'NVDA-OAI-EQUTY' — {rule}"


def overlap_group_two_counted(f: Path) -> str:
    first = edit(f, "deals.csv", "NVDA-OAI-2025-09-LOI-EQUITY", overlap_role="counted")
    second = line_of(f, "deals.csv", "NVDA-OAI-2026-02-EQUITY")
    rule = f"group NVDA-OAI-EQUITY already has its counted deal on line {first}; exactly one deal per group is counted"
    return f"deals.csv:{second}: overlap_role: 'counted' — {rule}"


def overlap_group_none_counted(f: Path) -> str:
    second = edit(f, "deals.csv", "NVDA-OAI-2026-02-EQUITY", overlap_role="overlaps")
    first = line_of(f, "deals.csv", "NVDA-OAI-2025-09-LOI-EQUITY")
    rule = f"group NVDA-OAI-EQUITY (lines {first}, {second}) has no counted deal; mark exactly one counted"
    return f"deals.csv:{first}: overlap_role: 'overlaps' — {rule}"


def overlap_group_mixes_kinds(f: Path) -> str:
    line = edit(f, "deals.csv", "AMD-OAI-2025-10-SUPPLY", overlap_group="NVDA-OAI-EQUITY", overlap_role="overlaps")
    first = line_of(f, "deals.csv", "NVDA-OAI-2025-09-LOI-EQUITY")
    rule = f"overlap group NVDA-OAI-EQUITY mixes kinds: purchase_commitment here, equity on line {first}; only the same kind of money can overlap"
    return f"deals.csv:{line}: deal_type: 'chip_supply' — {rule}"


def overlap_role_without_group(f: Path) -> str:
    line = edit(f, "deals.csv", "CRWV-OAI-2025-05", overlap_role="overlaps")
    return f"deals.csv:{line}: overlap_role: 'overlaps' — must be empty when overlap_group is empty"


def overlap_group_without_role(f: Path) -> str:
    line = edit(f, "deals.csv", "AWS-OAI-2025-11", overlap_role="")
    return f"deals.csv:{line}: overlap_role: (empty) — required when overlap_group is set: counted, overlaps or umbrella"


def umbrella_group_with_a_bilateral_row(f: Path) -> str:
    line = edit(f, "deals.csv", "ORCL-NVDA-2025-ABILENE", overlap_group="STARGATE", overlap_role="overlaps")
    umbrella = line_of(f, "deals.csv", "STARGATE-2025-01")
    lines = ", ".join(str(n) for n in sorted([umbrella, line]))
    return f"deals.csv:{line}: overlap_role: 'overlaps' — group STARGATE is an umbrella group (lines {lines}): every member must be umbrella"


def counted_row_without_amount(f: Path) -> str:
    edit(f, "deals.csv", "ORCL-OAI-2025-09-300B", overlap_role="overlaps")
    line = edit(f, "deals.csv", "ORCL-OAI-2025-07-STARGATE-4.5GW", overlap_role="counted")
    other = line_of(f, "deals.csv", "ORCL-OAI-2025-09-300B")
    return f"deals.csv:{line}: amount_usd_bn: (empty) — the counted deal of group ORACLE-OAI-300 needs an amount: line {other} states one"


def bad_overlap_role(f: Path) -> str:
    line = edit(f, "deals.csv", "AWS-OAI-2025-11", overlap_role="duplicate")
    return f"deals.csv:{line}: overlap_role: 'duplicate' — must be one of: counted, overlaps, umbrella"


def term_of_unknown_deal(f: Path) -> str:
    line = edit_line(f, "deal_terms.csv", 2, deal_id="ORCL-OAI-2025-09-999B")
    return f"deal_terms.csv:{line}: deal_id: 'ORCL-OAI-2025-09-999B' — not a deal_id in deals.csv"


def assumption_without_reason(f: Path) -> str:
    _, rows = read_rows(f, "deal_terms.csv")
    line = next(i for i, r in enumerate(rows) if r[6] == "assumption") + 2
    edit_line(f, "deal_terms.csv", line, note="ASSUMPTION:")
    return f"deal_terms.csv:{line}: note: 'ASSUMPTION:' — an assumption needs a note starting 'ASSUMPTION:' followed by the reason"


def derived_without_rule(f: Path) -> str:
    line = edit_line(f, "deal_terms.csv", 2, rule="")
    return f"deal_terms.csv:{line}: rule: (empty) — required when basis is derived: say how the value follows from the source"


def term_unit_of_another_type(f: Path) -> str:
    line = edit_line(f, "deal_terms.csv", 2, unit="GW")
    return f"deal_terms.csv:{line}: unit: 'GW' — a payment_schedule term is in one of: USD bn"


def duplicate_term(f: Path) -> str:
    header, rows = read_rows(f, "deal_terms.csv")
    rows.insert(1, list(rows[0]))
    write_rows(f, "deal_terms.csv", header, rows)
    return "deal_terms.csv:3: item: 'annual_payment' — same deal_id, term_type, item, period and unit as line 2; each term appears once"


def latin1_bytes(f: Path) -> str:
    line = line_of(f, "companies.csv", "Anthropic")
    path = f / "companies.csv"
    path.write_bytes(path.read_bytes().replace(b",Private.\n", b",Priv\xe9e.\n", 1))
    return f"companies.csv:{line}: note: 'Priv\\xe9e.' — not UTF-8 (byte 0xe9); save the file as UTF-8 (Excel: 'CSV UTF-8')"


def extra_column(f: Path) -> str:
    header, rows = read_rows(f, "deals.csv")
    write_rows(f, "deals.csv", [*header, "comment"], [[*row, ""] for row in rows])
    return "deals.csv:1: comment: (extra column) — not a column of deals.csv; remove it (see data/registry/README.md)"


def missing_column(f: Path) -> str:
    header, rows = read_rows(f, "deals.csv")
    drop = header.index("confidence")
    write_rows(f, "deals.csv", [c for i, c in enumerate(header) if i != drop], [[c for i, c in enumerate(r) if i != drop] for r in rows])
    return f"deals.csv:1: confidence: (missing) — required column; the header must be: {DEALS_HEADER}"


def repeated_column(f: Path) -> str:
    header, rows = read_rows(f, "companies.csv")
    write_rows(f, "companies.csv", [*header, "ticker"], [[*row, ""] for row in rows])
    return "companies.csv:1: ticker: (repeated column) — each column may appear only once in the header"


def empty_file(f: Path) -> str:
    (f / "estimates.csv").write_bytes(b"")
    header = ",".join(next(spec for spec in FILES if spec.file == "estimates.csv").columns)
    return f"estimates.csv:1: (file): (empty) — the file is empty; its first line must be the header: {header}"


def header_only(f: Path) -> str:
    header, _ = read_rows(f, "deal_terms.csv")
    write_rows(f, "deal_terms.csv", header, [])
    return "deal_terms.csv:1: (file): header only — add at least one row below the header"


def missing_file(f: Path) -> str:
    (f / "metrics.csv").unlink()
    return f"metrics.csv:1: (file): (missing) — the registry needs metrics.csv in {f}"


def unquoted_comma(f: Path) -> str:
    path = f / "companies.csv"
    line = line_of(f, "companies.csv", "Anthropic")
    path.write_text(path.read_text(encoding="utf-8").replace("Anthropic,Anthropic PBC,", "Anthropic,Anthropic, PBC,", 1), encoding="utf-8")
    return f"companies.csv:{line}: (row): 12 fields — the header has 11; put a field that contains a comma in double quotes"


def stray_quote(f: Path) -> str:
    path = f / "estimates.csv"
    line = line_of(f, "estimates.csv", "E031")
    path.write_text(path.read_text(encoding="utf-8").replace(",55.6,", ',"55.6"bn,', 1), encoding="utf-8")
    return f"estimates.csv:{line}: (row): (cannot be read) — ',' expected after '\"'; check the double quotes on this line"


def unterminated_quote(f: Path) -> str:
    path = f / "estimates.csv"
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    path.write_text(text + 'E034,oracle_rpo,Oracle,2026-02-28,553,USD bn,,,"Epicos,https://x.example/a,,2026-03-10,\n', encoding="utf-8")
    return f"estimates.csv:{line}: (row): (cannot be read) — unexpected end of data; check the double quotes on this line"


def alias_of_two_companies(f: Path) -> str:
    microsoft = edit(f, "companies.csv", "Microsoft", aliases="Microsoft Corporation|Microsoft Corp|AWS")
    amazon = line_of(f, "companies.csv", "Amazon")
    rule = f"'AWS' already names 'Microsoft' (line {microsoft}); every name must point to one company"
    return f"companies.csv:{amazon}: aliases: 'Amazon.com|Amazon.com, Inc.|Amazon Web Services|AWS' — {rule}"


def listed_without_ticker(f: Path) -> str:
    line = edit(f, "companies.csv", "Broadcom", ticker="")
    return f"companies.csv:{line}: ticker: (empty) — required for a listed company"


def listed_not_boolean(f: Path) -> str:
    line = edit(f, "companies.csv", "Intel", listed="yes")
    return f"companies.csv:{line}: listed: 'yes' — must be true or false"


def cik_not_padded(f: Path) -> str:
    line = edit(f, "companies.csv", "NVIDIA", sec_cik="1045810")
    return f"companies.csv:{line}: sec_cik: 1045810 — must be 10 digits, zero-padded (0001045810)"


def shares_without_date(f: Path) -> str:
    line = edit(f, "companies.csv", "NVIDIA", shares_outstanding_date="")
    return f"companies.csv:{line}: shares_outstanding_date: (empty) — required when shares_outstanding_m is given"


def range_below_its_value(f: Path) -> str:
    line = edit(f, "estimates.csv", "E014", low="70")
    return f"estimates.csv:{line}: low: 70 — must not be above value (55)"


def period_in_words(f: Path) -> str:
    line = edit(f, "deals.csv", "AMD-OAI-2025-10-SUPPLY", start_period="H2 2026")
    rule = "must be a period: YYYY, YYYY-H1, YYYY-Q1, YYYY-MM, YYYY-MM-DD, FYYYYY or start/end of two of these"
    return f"deals.csv:{line}: start_period: 'H2 2026' — {rule}"


def term_ends_before_it_starts(f: Path) -> str:
    line = edit(f, "deals.csv", "AWS-OAI-2025-11", end_period="2024")
    return f"deals.csv:{line}: end_period: 2024 — ends before start_period (2025-11)"


def unknown_event_timing(f: Path) -> str:
    line = edit(f, "deals.csv", "ORCL-AMD-2025-10", event_timing="pre-market")
    return f"deals.csv:{line}: event_timing: 'pre-market' — must be one of: before_open, during_session, after_close, unknown"


def unknown_reliability(f: Path) -> str:
    line = edit(f, "metrics.csv", "M001", reliability="rumour")
    allowed = "company_reported, press_reported, third_party_estimate, app_tracker"
    return f"metrics.csv:{line}: reliability: 'rumour' — must be one of: {allowed}"


CASES: list[Callable[[Path], str]] = [
    negative_amount, amount_with_unit, thousands_separator, unknown_deal_type, unknown_party,
    party_alias_with_typo, buyer_is_seller, duplicate_deal_id, duplicate_metric_id, date_in_future,
    date_more_precise_than_its_precision, month_where_precision_is_day, announced_in_words,
    unknown_precision, announced_after_its_source, day_precise_but_called_approximate,
    month_precise_but_timed, source_date_in_future, date_not_iso, date_impossible, source_date_missing, source_url_not_http,
    source_url_ftp, no_source_at_all, deal_without_source, amount_without_basis, basis_without_amount,
    unknown_basis, capacity_zero, capacity_negative, money_per_gw_without_gw, overlap_group_typo,
    overlap_group_two_counted, overlap_group_none_counted, overlap_group_mixes_kinds,
    overlap_role_without_group, overlap_group_without_role, umbrella_group_with_a_bilateral_row,
    counted_row_without_amount, bad_overlap_role, term_of_unknown_deal, assumption_without_reason,
    derived_without_rule, term_unit_of_another_type, duplicate_term, latin1_bytes, extra_column,
    missing_column, repeated_column, empty_file, header_only, missing_file, unquoted_comma, stray_quote,
    unterminated_quote,
    alias_of_two_companies, listed_without_ticker, listed_not_boolean, cik_not_padded,
    shares_without_date, range_below_its_value, period_in_words, term_ends_before_it_starts,
    unknown_event_timing, unknown_reliability,
]


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_broken_registry_fails_naming_file_line_column_and_leaves_the_warehouse(case, registry_copy, warehouse_copy, session_instance):
    expected = case(registry_copy)
    database, hashes = warehouse_copy

    with pytest.raises(dg.Failure) as failure:
        materialize(registry_copy, database, session_instance, only_raw=True)

    message = str(failure.value)
    assert f"  {expected}" in message.splitlines(), message
    assert "nothing was written" in message
    assert table_hashes(database) == hashes
