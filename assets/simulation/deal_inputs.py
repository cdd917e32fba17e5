"""The inputs taken from the deals: the frames of sql/sim/commitments.sql, deployments.sql,
equity.sql, per_gw_investment.sql and warrant_tranches.sql. Each function notes what it used.

Months are absolute month numbers (months.py) until they go into a frame as `pl.Date`.
"""

from __future__ import annotations

import polars as pl

from assets.simulation.months import month_date, month_number, month_text, period_months, yyyymm
from assets.simulation.provenance import Notes, cite

OPEN_WINDOW_END = "2029-12"
OPEN_WINDOW_REASON = ("assumption: deployment windows without a stated end are spread evenly to 2029-12, "
                      "the end of the Broadcom window and of the Stargate programme (deal_terms AVGO-OAI-2025-10, "
                      "STARGATE-2025-01)")
TOLERANCE_USD_BN = 1e-9
WARRANT_MEASURES = ("shares_m", "gw_condition", "price_condition_usd", "strike_usd")


def _spread(deal_id: str, first: int, last: int, amount: float) -> list[tuple]:
    """`amount` split evenly over the months `first .. last`."""
    n = last - first + 1
    return [(deal_id, m, amount / n) for m in range(first, last + 1)]


def _year_slice(row: dict) -> tuple[int, int, float]:
    """(first month, last month, amount) of one deal's commitment in one calendar year of the mart."""
    year_first, year_last = row["calendar_year"] * 12, row["calendar_year"] * 12 + 11
    if row["term_id"] is not None:  # rule 1: the term's own months, or the calendar year the mart puts it in
        first, last = period_months(row["term_period"])
        inside = year_first <= first and last <= year_last
        return (first, last, row["term_usd_bn"]) if inside else (year_first, year_last, row["term_usd_bn"])
    start, end = period_months(row["start_period"])[0], period_months(row["end_period"])[1]
    years = end // 12 - start // 12 + 1  # rule 2: even split over the calendar years of the term
    return max(start, year_first), min(end, year_last), row["deal_amount_usd_bn"] / years


def commitments(frame: pl.DataFrame, notes: Notes, base_year_end: int) -> pl.DataFrame:
    """`deal_id, month, amount_usd_bn`: the mart's yearly amounts per deal spread over their months;
    months up to `base_year_end` are inside the reported cost base and left out."""
    scheduled = frame.filter(pl.col("calendar_year").is_not_null())
    slices = [(row, *_year_slice(row)) for row in scheduled.iter_rows(named=True)]
    totals: dict[tuple, float] = {}
    for row, _, _, amount in slices:
        key = (row["calendar_year"], row["counterparty"])
        totals[key] = totals.get(key, 0.0) + amount
    for row in scheduled.unique(["calendar_year", "counterparty"]).iter_rows(named=True):
        found, mart = totals[(row["calendar_year"], row["counterparty"])], row["mart_committed_usd_bn"]
        if abs(found - mart) > TOLERANCE_USD_BN * max(1.0, abs(mart)):
            raise ValueError(f"mart.commitment_schedule {row['calendar_year']} {row['counterparty']}: the deals add "
                             f"up to {found} USD bn, the mart says {mart}")

    out: list[tuple] = []
    by_deal: dict[str, list[tuple]] = {}
    for row, first, last, amount in slices:
        paid = [m for m in _spread(row["deal_id"], first, last, amount) if m[1] > base_year_end]
        out += paid
        by_deal.setdefault(row["deal_id"], []).append((row, paid))
    for deal_id, parts in by_deal.items():
        paid = [m for _, p in parts for m in p]
        if not paid:
            continue
        row, years = parts[0][0], sorted({r["calendar_year"] for r, _ in parts})
        notes.add(f"compute_commitment:{deal_id}", sum(m[2] for m in paid), "USD bn",
                  f"{row['basis']}: {row['rule']}; {cite(row)}",
                  f"mart.commitment_schedule {row['counterparty']} {years[0]}..{years[-1]}, spread monthly; "
                  f"{month_text(min(m[1] for m in paid))}..{month_text(max(m[1] for m in paid))} "
                  f"(after the 2025 cost base)")
    for row in frame.filter(pl.col("calendar_year").is_null()).iter_rows(named=True):
        amount = row["term_usd_bn"] if row["term_id"] is not None else row["deal_amount_usd_bn"]
        if amount is not None:
            term = f"@{row['term_id']}" if row["term_id"] is not None else ""
            notes.add(f"compute_commitment_not_scheduled:{row['deal_id']}{term}", amount, "USD bn",
                      f"not in compute spend: the mart does not spread it ({row['mart_rules']}); {cite(row)}",
                      f"mart.commitment_schedule {row['counterparty']}, no calendar year")
    return pl.DataFrame([(d, month_date(m), a) for d, m, a in out], orient="row",
                        schema={"deal_id": pl.String, "month": pl.Date, "amount_usd_bn": pl.Float64})


def deployments(frame: pl.DataFrame, notes: Notes) -> pl.DataFrame:
    """`deal_id, month, gw`: each deal's first GW over its stated period, the rest evenly to the window's end."""
    out = []
    for (deal_id,), rows in frame.group_by("deal_id", maintain_order=True):
        total = rows.filter(pl.col("item") != "first_gw").row(0, named=True)
        end = period_months(total["period"] or OPEN_WINDOW_END)[1]
        first = rows.filter(pl.col("item") == "first_gw")
        if first.is_empty():
            out += _spread(deal_id, period_months(total["period"])[0], end, total["gw"])
        else:
            head = first.row(0, named=True)
            head_first, head_last = period_months(head["period"])
            out += _spread(deal_id, head_first, head_last, head["gw"])
            out += _spread(deal_id, head_last + 1, end, total["gw"] - head["gw"])
            notes.add(f"deployment_first_gw:{deal_id}", head["gw"], "GW", f"{head['basis']}: {cite(head)}",
                      f"raw.deal_terms deployment_window {head['period']}")
        notes.add(f"deployment_total_gw:{deal_id}", total["gw"], "GW", f"{total['basis']}: {cite(total)}",
                  f"raw.deal_terms deployment_window {total['period'] or 'no end stated'}")
        if not total["period"]:
            notes.add(f"deployment_window_end:{deal_id}", yyyymm(end), "YYYYMM", OPEN_WINDOW_REASON, "assumption")
    return pl.DataFrame([(d, month_date(m), gw) for d, m, gw in out], orient="row",
                        schema={"deal_id": pl.String, "month": pl.Date, "gw": pl.Float64})


def _payment_month(period: str, announced_on) -> int:
    """First month of `period`, but not before the announcement (nor after the period's end)."""
    first, last = period_months(period)
    return min(max(first, month_number(announced_on)), last)


def equity_payments(frame: pl.DataFrame, notes: Notes) -> pl.DataFrame:
    """Every counted equity payment into OpenAI, all dates: `deal_id, month` (number), amount, investor,
    overlap group, from_supplier, source and estimated_from."""
    rows = []
    for row in frame.filter("counts_in_totals").iter_rows(named=True):
        if row["item"] is None:  # a deal without payment terms: its amount, if exact and dated
            if row["amount_basis"] != "exact" or not row["start_period"]:
                notes.add(f"equity_not_counted:{row['deal_id']}", row["deal_amount_usd_bn"], "USD bn",
                          f"assumption: amount {row['amount_basis'] or 'not disclosed'} and no payment terms: not "
                          f"counted as raised; {cite(row)}", "core.deal_flows")
                continue
            period, amount = row["start_period"], row["deal_amount_usd_bn"]
            what = "core.deal_flows amount_usd_bn (exact)"
        elif row["item"].startswith("cumulative"):
            continue  # a stock figure (funded to date), not a payment
        elif not row["period"]:
            notes.add(f"equity_not_counted:{row['deal_id']}:{row['item']}", row["term_usd_bn"], "USD bn",
                      f"assumption: no date and paid only on conditions (e.g. an IPO): that would be outside money, "
                      f"so it is not counted as raised; {cite(row)}", "raw.deal_terms payment_schedule")
            continue
        else:
            period, amount, what = row["period"], row["term_usd_bn"], f"raw.deal_terms {row['item']}"
        rows.append((row["deal_id"], _payment_month(period, row["announced_on"]), amount, row["investor"],
                     row["overlap_group"], row["from_supplier"], cite(row), what))
    return pl.DataFrame(rows, orient="row", schema={
        "deal_id": pl.String, "month": pl.Int64, "amount_usd_bn": pl.Float64, "investor": pl.String,
        "overlap_group": pl.String, "from_supplier": pl.Boolean, "source": pl.String, "estimated_from": pl.String})


def _supplier_deal(deployment_terms: pl.DataFrame, supplier: str, what: str) -> str:
    deals = deployment_terms.filter(pl.col("supplier") == supplier)["deal_id"].unique(maintain_order=True)
    if deals.len() != 1:
        raise ValueError(f"{what}: expected one deployment window of {supplier}'s systems, found {deals.to_list()}")
    return deals[0]


def vendor_financing(per_gw: pl.DataFrame, deployment_terms: pl.DataFrame, equity: pl.DataFrame,
                     notes: Notes) -> tuple[str, float, float]:
    """(deal whose GW trigger the money, USD bn per GW, cap): the cap is the stated ceiling less the
    equity the same investor put in through the same overlap group."""
    rate = per_gw.filter(pl.col("unit") == "USD bn per GW").row(0, named=True)
    ceiling = per_gw.filter(pl.col("item") == "max_total").row(0, named=True)
    investor = rate["investor"]
    deal = _supplier_deal(deployment_terms, investor, f"per-GW investment of {investor}")
    already = equity.filter((pl.col("investor") == investor)
                            & (pl.col("overlap_group") == rate["overlap_group"]))["amount_usd_bn"].sum()
    notes.add("vendor_financing_per_gw_usd_bn", rate["value"], "USD bn per GW",
              f"{rate['basis']}: {rate['rule']}; {cite(rate)}", f"raw.deal_terms per_gw_investment {rate['deal_id']}")
    notes.add("vendor_financing_cap_usd_bn", ceiling["value"] - already, "USD bn",
              f"derived: stated ceiling {ceiling['value']:g} less {already:g} already invested as equity in the same "
              f"overlap group ({rate['overlap_group']}); {cite(ceiling)}",
              "raw.deal_terms per_gw_investment, core.deal_flows equity")
    return deal, rate["value"], ceiling["value"] - already


def warrant(frame: pl.DataFrame, deployment_terms: pl.DataFrame, notes: Notes) -> tuple[pl.DataFrame, str]:
    """Tranches of the one warrant OpenAI holds whose every tranche states shares, GW and price conditions
    and a strike, and the deal whose GW count towards its GW conditions; other warrants are noted as not
    modelled. `frame` has one row per tranche and measure (WARRANT_MEASURES)."""
    complete = frame.group_by("deal_id", maintain_order=True).agg(pl.col("value").is_not_null().all().alias("ok"))
    for deal_id in complete.filter(~pl.col("ok"))["deal_id"]:
        row = frame.filter(pl.col("deal_id") == deal_id).row(0, named=True)
        notes.add(f"warrant_not_modelled:{deal_id}", None, "",
                  f"no GW and price conditions per tranche: cannot vest in the model; {row['source_url']}",
                  f"mart.warrant_tranches {deal_id}")
    modelled = complete.filter("ok")["deal_id"]
    if modelled.len() != 1:
        raise ValueError(f"expected one OpenAI warrant with complete tranches, found {modelled.to_list()}")
    rows = frame.filter(pl.col("deal_id") == modelled[0])
    for row in rows.iter_rows(named=True):
        notes.add(f"warrant_{row['tranche']}_{row['measure']}", row["value"], row["measure"],
                  f"{row['basis']}: {row['rule']}; {cite(row)}",
                  f"mart.warrant_tranches {row['deal_id']} {row['tranche']}")
    tranches = rows.pivot(on="measure", index="tranche", values="value").select(
        "tranche", *[pl.col(m).cast(pl.Float64) for m in WARRANT_MEASURES])
    issuer = rows["issuer"][0]
    return tranches, _supplier_deal(deployment_terms, issuer, f"warrant of {issuer}")
