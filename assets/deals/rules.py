"""The registry's rules across rows and files, and `load_registry`: read, check everything, return or raise.

Order of checking: reading (registry.py: encoding, CSV syntax, header, types), unique ids, the
pandera models (schemas.py: required cells, allowed values, ranges, formats), then the rules
below. All problems of all five files are collected; a cell reports only its first problem (an
amount that is not a number is not also reported as missing). Nothing is returned unless there
are none, so a caller writes nothing from a registry with any problem.

Rules across cells, rows and files:

* ids are unique: deal_id, company, metric_id, estimate_id, and in deal_terms.csv the combination
  (deal_id, term_type, item, period, unit); every company name and alias points to one company.
* buyer and seller resolve through companies.csv (name or alias, exact match) and differ.
* amount_basis is set exactly when amount_usd_bn is. `exact` needs confidence
  confirmed_press_release (a party stated the figure) and terms that do not call it an estimate;
  `estimate` needs terms naming the estimator: 'ESTIMATE: <who>, ...'.
* announced_on is written at its announced_precision (day 2025-09-22, month 2025-09, quarter
  2025-Q3: never a day the source does not give), is not after the row's source_date, and a
  day-precise date's terms do not still call it approximate ('DATE APPROX'). Only a day-precise
  announcement can be timed against a session: event_timing is 'unknown' otherwise.
* no date (announced_on, source_date, shares_outstanding_date) lies after today.
* end_period's year is not before start_period's year.
* every sourced row (deals, deal_terms, metrics, estimates) has a source_url or, when no URL
  exists, a source_document naming the document; source_date is always required (schemas.py).
  A share count needs its date and source URL.
* a listed company has a ticker and an exchange; an unlisted one has no ticker.
* overlap groups (see `overlap_groups`).
* deal terms: the deal exists, the unit fits the term_type, a derived value says its rule, an
  assumption's note starts with 'ASSUMPTION:' and gives the reason, and money per GW
  (unit 'USD bn per GW') needs the deal's capacity_gw. Capacity without an amount is fine
  (most supply deals disclose GW but no value). A payment_model (how the simulation pays the
  deal) has an item of PAYMENT_MODELS that the deal's deal_type allows, a `YYYY-MM/YYYY-MM` period
  or none, no value and no unit, and at most one row per deal; an assumed one's rule starts with
  'ASSUMPTION:'. Every other term has a value and a unit.
* an estimate's range holds its value: low <= value <= high.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from ..validation import ValidationFailed, failures
from .registry import FILE_ORDER, FILES, Problem, Table, read_registry, shown, written_precision
from .schemas import ANNOUNCED_PRECISIONS, FLOW_KIND, PAYMENT_MODEL_PERIOD, PAYMENT_MODELS, TERM_UNITS

ASSUMPTION_PREFIX = "ASSUMPTION:"
MIN_REASON = 10  # characters of reason after the prefix


class RegistryInvalid(ValidationFailed):
    """The registry broke its rules; `found` lists every Problem, the message all of them."""

    def __init__(self, folder: Path, found: list[Problem]):
        self.found = found
        super().__init__(f"registry {folder}", [str(p) for p in found], limit=None)


@dataclass
class Registry:
    """The five registry files, read and checked: each a typed frame ready for its raw table."""

    folder: Path
    tables: dict[str, Table]

    def frame(self, table: str) -> pl.DataFrame:
        return self.tables[table].frame


def load_registry(folder: Path, today: date) -> Registry:
    """Read every file of `folder` and check every rule; raise RegistryInvalid listing all problems."""
    tables, problems = read_registry(folder)
    problems += unique_keys(tables)
    problems += model_problems(tables)
    problems += cross_file_problems(tables, today)
    if problems:
        raise RegistryInvalid(folder, sort_problems(first_per_cell(problems), tables))
    return Registry(folder, tables)


def cross_file_problems(tables: dict[str, Table], today: date) -> list[Problem]:
    """Every rule beyond a single cell, on the tables that could be read."""
    deals, terms, companies = _ok(tables["deals"]), _ok(tables["deal_terms"]), _ok(tables["companies"])
    problems = dates_not_in_future(tables, today) + sources(tables)
    if companies:
        problems += company_names(companies) + listings(companies)
    if deals:
        problems += amounts(deals) + announcements(deals) + periods(deals) + overlap_groups(deals)
        if companies and companies.complete:  # else a row that could not be read would look unknown
            problems += parties(deals, companies)
    if terms:
        problems += deal_terms(terms, deals if deals and deals.complete else None)
    if estimates := _ok(tables["reference_estimates"]):
        problems += ranges(estimates)
    return problems


def _ok(table: Table) -> Table | None:
    return table if table.frame is not None else None


def first_per_cell(problems: Iterable[Problem]) -> list[Problem]:
    """Keep the first problem of each (file, line, column)."""
    seen, kept = set(), []
    for problem in problems:
        if (key := (problem.file, problem.line, problem.column)) not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


def sort_problems(problems: list[Problem], tables: dict[str, Table]) -> list[Problem]:
    """By file (registry order), line, then column in the file's order."""
    columns = {spec.file: spec.columns for spec in FILES}

    def key(p: Problem):
        order = columns.get(p.file, [])
        position = -1 if p.column.startswith("(") else (order.index(p.column) if p.column in order else len(order))
        return (FILE_ORDER.get(p.file, 99), p.line, position)

    return sorted(problems, key=key)


# --- single-table rules -------------------------------------------------------------------------


def model_problems(tables: dict[str, Table]) -> list[Problem]:
    """The pandera model of each readable table. Uniqueness is reported by unique_keys (with lines)."""
    problems = []
    for table in tables.values():
        if table.frame is None:
            continue
        for failure in failures(table.spec.model, table.frame):
            if failure.check in ("field_uniqueness", "multiple_fields_uniqueness"):
                continue
            if failure.row is None or failure.row >= len(table.lines):
                problems.append(Problem(table.file, 1, failure.column or "(file)", shown(failure.value), failure.rule))
            else:
                problems.append(table.problem(failure.row, failure.column or "(row)", failure.rule))
    return problems


UNIQUE = {"deals": "deal_id", "companies": "company", "openai_metrics": "metric_id", "reference_estimates": "estimate_id"}
TERM_KEY = ("deal_id", "term_type", "item", "period", "unit")


def unique_keys(tables: dict[str, Table]) -> list[Problem]:
    problems = []
    for name, column in UNIQUE.items():
        table = tables[name]
        first: dict[str, int] = {}
        for row, cells in enumerate(table.text if table.frame is not None else []):
            value = cells[column]
            if value is None:
                continue
            if value in first:
                problems.append(table.problem(row, column, f"duplicate of line {first[value]}; each {column} must be unique"))
            else:
                first[value] = table.lines[row]
    if (terms := _ok(tables["deal_terms"])) is not None:
        first_term: dict[tuple, int] = {}
        for row, cells in enumerate(terms.text):
            key = tuple(cells[c] for c in TERM_KEY)
            if key in first_term:
                problems.append(
                    terms.problem(row, "item", f"same deal_id, term_type, item, period and unit as line {first_term[key]}; each term appears once")
                )
            else:
                first_term[key] = terms.lines[row]
    return problems


def dates_not_in_future(tables: dict[str, Table], today: date) -> list[Problem]:
    problems = []
    for table in tables.values():
        if table.frame is None:
            continue
        for column in [c for c, dtype in table.frame.schema.items() if dtype == pl.Date]:
            for row, value in enumerate(table.frame[column]):
                if value is not None and value > today:
                    problems.append(table.problem(row, column, f"must not be after today ({today.isoformat()})"))
    return problems


def sources(tables: dict[str, Table]) -> list[Problem]:
    problems = []
    for table in tables.values():
        if table.frame is None:
            continue
        if "source_document" in table.frame.columns:
            for row, r in table.rows():
                if r["source_url"] is None and r["source_document"] is None:
                    problems.append(
                        table.problem(row, "source_url", "required: a source_url (http/https) or, without one, the document named in source_document")
                    )
    if (companies := _ok(tables["companies"])) is not None:
        for row, r in companies.rows():
            if r["shares_outstanding_m"] is not None:
                for column in ("shares_outstanding_date", "shares_source_url"):
                    if r[column] is None:
                        problems.append(companies.problem(row, column, "required when shares_outstanding_m is given"))
    return problems


def listings(companies: Table) -> list[Problem]:
    problems = []
    for row, r in companies.rows():
        if r["listed"]:
            problems += [companies.problem(row, c, "required for a listed company") for c in ("ticker", "exchange") if r[c] is None]
        elif r["listed"] is False and r["ticker"] is not None:
            problems.append(companies.problem(row, "ticker", "must be empty for a company that is not listed (listed = false)"))
    return problems


def company_names(companies: Table) -> list[Problem]:
    """Every name and alias points to one company."""
    owner: dict[str, tuple[str, int]] = {}
    for row, r in companies.rows():
        if r["company"] is not None:
            owner.setdefault(r["company"], (r["company"], companies.lines[row]))
    problems = []
    for row, r in companies.rows():
        for alias in (r["aliases"] or "").split("|") if r["aliases"] else []:
            alias = alias.strip()
            if not alias:
                problems.append(companies.problem(row, "aliases", "has an empty alias; separate aliases with a single '|'"))
                break
            company, line = owner.setdefault(alias, (r["company"], companies.lines[row]))
            if company != r["company"]:
                problems.append(
                    companies.problem(row, "aliases", f"{alias!r} already names {company!r} (line {line}); every name must point to one company")
                )
                break
    return problems


def resolver(companies: Table) -> dict[str, str]:
    """Every name and alias -> canonical company name."""
    names: dict[str, str] = {}
    for _, r in companies.rows():
        if r["company"] is None:
            continue
        names.setdefault(r["company"], r["company"])
        for alias in (r["aliases"] or "").split("|"):
            if alias.strip():
                names.setdefault(alias.strip(), r["company"])
    return names


# --- deals ----------------------------------------------------------------------------------------


def parties(deals: Table, companies: Table) -> list[Problem]:
    names = resolver(companies)
    problems = []
    for row, r in deals.rows():
        for column in ("buyer", "seller"):
            if r[column] is not None and r[column] not in names:
                problems.append(deals.problem(row, column, "not a company or alias in companies.csv"))
        buyer, seller = names.get(r["buyer"]), names.get(r["seller"])
        if buyer is not None and buyer == seller:
            problems.append(deals.problem(row, "seller", f"buyer and seller are the same company ({buyer})"))
    return problems


ESTIMATOR = re.compile(r"ESTIMATE:\s*\S.{2,}")


def amounts(deals: Table) -> list[Problem]:
    """Basis set exactly with an amount; `exact` only for a party's figure, `estimate` names its estimator."""
    problems = []
    for row, r in deals.rows():
        amount_given = r["amount_usd_bn"] is not None or deals.text[row]["amount_usd_bn"] is not None
        terms = r["terms"] or ""
        if amount_given and r["amount_basis"] is None:
            problems.append(deals.problem(row, "amount_basis", "required when amount_usd_bn is given: up to, approx, exact or estimate"))
        if r["amount_basis"] == "exact" and "ESTIMATE:" in terms:
            problems.append(deals.problem(row, "amount_basis", "terms say the amount is an estimate ('ESTIMATE:'): use amount_basis estimate"))
        elif r["amount_basis"] == "exact" and r["confidence"] not in (None, "confirmed_press_release"):
            problems.append(deals.problem(row, "amount_basis", f"exact needs confidence confirmed_press_release (a party stated it); a figure from {r['confidence']} is approx or estimate"))
        if r["amount_basis"] == "estimate" and not ESTIMATOR.search(terms):
            problems.append(deals.problem(row, "amount_basis", "an estimate names its estimator in terms: 'ESTIMATE: <analyst or outlet>, ...'"))
        if not amount_given and r["amount_basis"] is not None:
            problems.append(deals.problem(row, "amount_basis", "must be empty when amount_usd_bn is empty (no amount, no basis)"))
    return problems


APPROXIMATE_DATE = re.compile(r"DATE APPROX", re.IGNORECASE)


def announcements(deals: Table) -> list[Problem]:
    """announced_on at the precision its source has, no later than its source, timed only to the day."""
    problems = []
    for row, r in deals.rows():
        precision, written = r["announced_precision"], deals.text[row]["announced_on"]
        form = written_precision(written)
        if precision in ANNOUNCED_PRECISIONS and form is not None and form != precision:
            if ANNOUNCED_PRECISIONS.index(form) < ANNOUNCED_PRECISIONS.index(precision):
                rule = f"more precise than announced_precision '{precision}': write {_FORM[precision]} (never a day or month the source does not give)"
            else:
                rule = f"announced_precision '{precision}' needs {_FORM[precision]}"
            problems.append(deals.problem(row, "announced_on", rule))
        if r["announced_on"] is not None and r["source_date"] is not None and r["announced_on"] > r["source_date"]:
            problems.append(deals.problem(row, "announced_on", f"after source_date ({r['source_date'].isoformat()}): a source cannot report a deal before it is announced"))
        if precision == "day" and r["terms"] is not None and APPROXIMATE_DATE.search(r["terms"]):
            problems.append(deals.problem(row, "announced_precision", "terms say the date is approximate ('DATE APPROX'): use month or quarter, or drop the marker once a source gives the day"))
        if precision not in (None, "day") and r["event_timing"] not in (None, "unknown"):
            problems.append(deals.problem(row, "event_timing", f"must be unknown when announced_precision is '{precision}': only a dated day has a session"))
    return problems


_FORM = {"day": "a date YYYY-MM-DD", "month": "a month YYYY-MM", "quarter": "a quarter YYYY-Q1..YYYY-Q4"}


def _year(period: str | None, last: bool) -> int | None:
    if period is None or not (years := re.findall(r"\d{4}", period)):
        return None
    return int(years[-1] if last else years[0])


def periods(deals: Table) -> list[Problem]:
    problems = []
    for row, r in deals.rows():
        start, end = _year(r["start_period"], last=False), _year(r["end_period"], last=True)
        if start is not None and end is not None and end < start:
            problems.append(deals.problem(row, "end_period", f"ends before start_period ({r['start_period']})"))
    return problems


def overlap_groups(deals: Table) -> list[Problem]:
    """Rows that describe (partly) the same money share an overlap_group and are never summed.

    * overlap_group and overlap_role are set together (both or neither).
    * An umbrella group: every member has role `umbrella` (a programme that contains other rows'
      money, e.g. STARGATE); it may have a single member and never counts in bilateral totals.
    * Any other group has at least two deals: exactly one `counted` (the row totals include) and
      the others `overlaps`. A lone member is usually a mistyped group id.
    * All deals of a group are the same kind of flow (equity, purchase_commitment, warrant,
      backstop): different kinds of money cannot be the same money.
    * If any deal of a group states an amount, the counted deal states one too, so totals keep
      the group's money.
    """
    problems, members = [], defaultdict(list)
    for row, r in deals.rows():
        group, role = r["overlap_group"], r["overlap_role"]
        if group is not None and role is None:
            problems.append(deals.problem(row, "overlap_role", "required when overlap_group is set: counted, overlaps or umbrella"))
        elif role is not None and group is None:
            problems.append(deals.problem(row, "overlap_role", "must be empty when overlap_group is empty"))
        if group is not None:
            members[group].append(row)
    for group, rows in members.items():
        roles = [deals.frame["overlap_role"][row] for row in rows]
        lines = ", ".join(str(deals.lines[row]) for row in rows)
        if "umbrella" in roles:
            problems += [
                deals.problem(row, "overlap_role", f"group {group} is an umbrella group (lines {lines}): every member must be umbrella")
                for row, role in zip(rows, roles)
                if role != "umbrella"
            ]
            continue
        if len(rows) == 1:
            problems.append(
                deals.problem(rows[0], "overlap_group", "no other deal has this group; a group needs at least two deals (or overlap_role umbrella)")
            )
            continue
        counted = [row for row, role in zip(rows, roles) if role == "counted"]
        if not counted:
            problems.append(deals.problem(rows[0], "overlap_role", f"group {group} (lines {lines}) has no counted deal; mark exactly one counted"))
        for row in counted[1:]:
            first = deals.lines[counted[0]]
            problems.append(deals.problem(row, "overlap_role", f"group {group} already has its counted deal on line {first}; exactly one deal per group is counted"))
        kinds = [FLOW_KIND.get(deals.frame["deal_type"][row]) for row in rows]
        for row, kind in zip(rows[1:], kinds[1:]):
            if kind is not None and kinds[0] is not None and kind != kinds[0]:
                problems.append(
                    deals.problem(
                        row, "deal_type",
                        f"overlap group {group} mixes kinds: {kind} here, {kinds[0]} on line {deals.lines[rows[0]]}; only the same kind of money can overlap",
                    )
                )
        amounts_given = [row for row in rows if deals.frame["amount_usd_bn"][row] is not None]
        if len(counted) == 1 and amounts_given and counted[0] not in amounts_given:
            problems.append(
                deals.problem(counted[0], "amount_usd_bn", f"the counted deal of group {group} needs an amount: line {deals.lines[amounts_given[0]]} states one")
            )
    return problems


# --- deal_terms and estimates --------------------------------------------------------------------


def deal_terms(terms: Table, deals: Table | None) -> list[Problem]:
    problems = []
    known = {r["deal_id"]: row for row, r in deals.rows()} if deals else None
    per_gw_deals: dict[str, int] = {}
    models: dict[str, int] = {}  # deal_id -> line of its payment_model
    for row, r in terms.rows():
        if known is not None and r["deal_id"] is not None and r["deal_id"] not in known:
            problems.append(terms.problem(row, "deal_id", "not a deal_id in deals.csv"))
        if r["term_type"] == "payment_model":
            problems += _payment_model(terms, row, r, deals, known)
            if r["deal_id"] in models:
                problems.append(terms.problem(row, "deal_id", f"already has a payment_model on line {models[r['deal_id']]}; one per deal"))
            models.setdefault(r["deal_id"], terms.lines[row])
            continue
        for column in ("value", "unit"):
            if r[column] is None and terms.text[row][column] is None:
                problems.append(terms.problem(row, column, f"required for a {r['term_type']} term"))
        allowed = TERM_UNITS.get(r["term_type"])
        if allowed and r["unit"] is not None and r["unit"] not in allowed:
            problems.append(terms.problem(row, "unit", f"a {r['term_type']} term is in one of: {', '.join(allowed)}"))
        if r["basis"] == "derived" and r["rule"] is None:
            problems.append(terms.problem(row, "rule", "required when basis is derived: say how the value follows from the source"))
        if r["basis"] == "assumption":
            note = r["note"] or ""
            if not note.startswith(ASSUMPTION_PREFIX) or len(note[len(ASSUMPTION_PREFIX):].strip()) < MIN_REASON:
                problems.append(terms.problem(row, "note", f"an assumption needs a note starting '{ASSUMPTION_PREFIX}' followed by the reason"))
        if r["unit"] == "USD bn per GW" and r["deal_id"] is not None:
            per_gw_deals.setdefault(r["deal_id"], terms.lines[row])
    if known is not None:
        for deal_id, line in per_gw_deals.items():
            if deal_id in known and deals.frame["capacity_gw"][known[deal_id]] is None and deals.text[known[deal_id]]["capacity_gw"] is None:
                problems.append(deals.problem(known[deal_id], "capacity_gw", f"required: deal_terms.csv:{line} gives money per GW for this deal"))
    return problems


def _payment_model(terms: Table, row: int, r: dict, deals: Table | None, known: dict | None) -> list[Problem]:
    """The rules of one payment_model row (see the module docstring)."""
    problems = []
    allowed = PAYMENT_MODELS.get(r["item"])
    if allowed is None:
        problems.append(terms.problem(row, "item", f"a payment_model is one of: {', '.join(PAYMENT_MODELS)}"))
    elif known is not None and r["deal_id"] in known:
        deal_type = deals.frame["deal_type"][known[r["deal_id"]]]
        if deal_type not in allowed:
            fits = [item for item, types in PAYMENT_MODELS.items() if deal_type in types]
            problems.append(terms.problem(row, "item", f"a {deal_type} deal cannot be paid as {r['item']}; it allows {', '.join(fits)}"))
    if r["period"] is not None and not re.match(PAYMENT_MODEL_PERIOD, r["period"]):
        problems.append(terms.problem(row, "period", "a payment_model's delivery term is YYYY-MM/YYYY-MM (or empty)"))
    for column in ("value", "unit"):
        if terms.text[row][column] is not None:
            problems.append(terms.problem(row, column, "must be empty for a payment_model (the item says how the deal is paid)"))
    if r["rule"] is None:
        problems.append(terms.problem(row, "rule", "required for a payment_model: say how the deal is paid and why"))
    elif r["basis"] == "assumption" and not r["rule"].startswith(ASSUMPTION_PREFIX):
        problems.append(terms.problem(row, "rule", f"an assumed payment_model's rule starts '{ASSUMPTION_PREFIX}' followed by the reason"))
    return problems


def ranges(estimates: Table) -> list[Problem]:
    problems = []
    for row, r in estimates.rows():
        value = r["value"]
        if value is None:
            continue
        if r["low"] is not None and r["low"] > value:
            problems.append(estimates.problem(row, "low", f"must not be above value ({shown(estimates.text[row]['value'])})"))
        if r["high"] is not None and r["high"] < value:
            problems.append(estimates.problem(row, "high", f"must not be below value ({shown(estimates.text[row]['value'])})"))
    return problems
