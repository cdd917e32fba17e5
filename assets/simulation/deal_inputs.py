"""The inputs taken from the deals: the frames of sql/sim/payment_models.sql, cloud_schedules.sql,
deployments.sql, equity.sql, per_gw_investment.sql and warrant_tranches.sql. Each function notes
what it used.

Every deal the totals count with OpenAI as a party has a payment model (raw.deal_terms
`payment_model`, data/registry/README.md), and `payment_plan` says for each how the simulation
pays it, from when to when and why (one `payment_model:<deal>` row in sim.scenario_inputs):

* cloud_capacity: its payment terms (or, without terms, its amount evenly over its delivery term)
  month by month; the cloud's own chip purchases are its capex and never added;
* own_capex: per GW deployed (`deployments`), at the vendor's cost per GW (scenario);
* equity, warrant, loan_backstop: money into or out of OpenAI, not spend (equity_payments,
  vendor_financing, warrant); not_modelled: listed with its reason.

Months are absolute month numbers (months.py) until they go into a frame as `pl.Date`.
"""

from __future__ import annotations

import polars as pl

from assets.simulation.months import month_date, month_number, month_text, period_months
from assets.simulation.provenance import Notes, cite

ROUNDING_USD_BN = 1e-5  # payment terms are written to 6 decimals (1,000 USD): thirds may add up a little over
WARRANT_MEASURES = ("shares_m", "gw_condition", "price_condition_usd", "strike_usd")
SPEND_MODELS = ("cloud_capacity", "own_capex")
NOT_SPEND = {
    "equity": "money into or out of OpenAI, not spend",
    "warrant": "shares OpenAI receives when conditions hold, not spend",
    "loan_backstop": "a guarantee: no money moves unless it is called, not spend",
    "not_modelled": "left out of the simulation",
}


def _spread(deal_id: str, first: int, last: int, amount: float) -> list[tuple]:
    """`amount` split evenly over the months `first .. last`."""
    n = last - first + 1
    return [(deal_id, m, amount / n) for m in range(first, last + 1)]


def _cloud_months(model: dict, terms: pl.DataFrame) -> tuple[list[tuple], str]:
    """(deal_id, month, amount) of one cloud_capacity deal over its whole term, and how."""
    deal = model["deal_id"]
    if terms.height:
        months = [m for row in terms.iter_rows(named=True) for m in _spread(deal, *period_months(row["period"]),
                                                                            row["amount_usd_bn"])]
        lines = ", ".join(terms["loaded_from"])
        return months, f"{terms.height} payment terms ({lines})"
    if model["amount_usd_bn"] is None or not model["delivery"]:
        return [], ""
    return (_spread(deal, *period_months(model["delivery"]), model["amount_usd_bn"]),
            f"{model['amount_usd_bn']:g} bn evenly over {model['delivery']}")


def payment_plan(models: pl.DataFrame, schedules: pl.DataFrame, notes: Notes, start: int, end: int) -> pl.DataFrame:
    """Cloud payments `deal_id, month, amount_usd_bn, delayed` in the simulated months `start .. end`
    (earlier months are history, inside the reported cash); notes one `payment_model:<deal>` row per
    deal (own_capex deals are paid per GW from `deployments`). `delayed`: the deal's deliveries start
    in the simulated months, so a path's delay postpones them."""
    out: list[tuple] = []
    for model in models.iter_rows(named=True):
        deal, how = model["deal_id"], model["payment_model"]
        source = f"{how} ({model['basis']}): {model['rule']}; {cite(model)}" if how else ""
        if how is None:
            notes.add(f"payment_model_missing:{deal}", model["amount_usd_bn"], "USD bn",
                      "no payment_model row in data/registry/deal_terms.csv: neither paid nor listed", "raw.deal_terms")
        elif how == "cloud_capacity":
            months, basis = _cloud_months(model, schedules.filter(pl.col("deal_id") == deal))
            if not months:
                notes.add(f"payment_model:{deal}", None, "USD bn", f"{source}; NOT PAID: no amount or no delivery term",
                          "raw.deal_terms payment_model")
                continue
            total = sum(m[2] for m in months)
            counted = model["amount_usd_bn"]
            if counted is not None and total > counted + ROUNDING_USD_BN:
                raise ValueError(f"data/registry/deal_terms.csv: {deal} payment_schedule rows add up to {total:g} "
                                 f"USD bn, more than the deal's counted {counted:g} (deals.csv amount_usd_bn)")
            first_delivery = min(m[1] for m in months)
            delayed = first_delivery >= start
            paid = [(d, m, a, delayed) for d, m, a in months if start <= m <= end]
            out += paid
            span = (f"{month_text(min(m[1] for m in paid))}..{month_text(max(m[1] for m in paid))}" if paid
                    else "nothing in the simulated months")
            notes.add(f"payment_model:{deal}", sum(m[2] for m in paid), "USD bn", source,
                      f"paid as delivered {span} ({basis}); "
                      + ("deliveries start in the simulated months: a path's delay postpones the first months, "
                         "which are then not delivered and not paid" if delayed else "already delivering: not delayed")
                      + f"; {total:g} bn over the whole term")
        elif how == "own_capex":
            notes.add(f"payment_model:{deal}", None, "USD bn", source,
                      f"per GW deployed (deployment_window rows) at {model['counterparty']}'s cost per GW "
                      "x own_capex_share (scenario); delivery " + (model["delivery"] or "not stated"))
        else:
            notes.add(f"payment_model:{deal}", model["amount_usd_bn"], "USD bn", source,
                      f"{NOT_SPEND[how]}; delivery {model['delivery'] or 'not stated'}")
    return pl.DataFrame([(d, month_date(m), a, delayed) for d, m, a, delayed in out], orient="row",
                        schema={"deal_id": pl.String, "month": pl.Date, "amount_usd_bn": pl.Float64,
                                "delayed": pl.Boolean})


def deployments(frame: pl.DataFrame, notes: Notes) -> pl.DataFrame:
    """`deal_id, month, gw, supplier`: each own_capex deal's first GW over its stated period, the rest
    evenly to the end of the window (or, without a stated end, of its payment model's delivery term)."""
    out = []
    for (deal_id,), rows in frame.group_by("deal_id", maintain_order=True):
        total = rows.filter(pl.col("item") != "first_gw").row(0, named=True)
        window = total["period"] or total["delivery"]
        if not window:
            raise ValueError(f"data/registry/deal_terms.csv: {deal_id} deployment_window has no period and its "
                             "payment_model no delivery term: the simulation cannot date its GW")
        end = period_months(window)[1]
        first = rows.filter(pl.col("item") == "first_gw")
        if first.is_empty():
            out += _spread(deal_id, period_months(window)[0], end, total["gw"])
        else:
            head = first.row(0, named=True)
            head_first, head_last = period_months(head["period"])
            out += _spread(deal_id, head_first, head_last, head["gw"])
            out += _spread(deal_id, head_last + 1, end, total["gw"] - head["gw"])
            notes.add(f"deployment_first_gw:{deal_id}", head["gw"], "GW", f"{head['basis']}: {cite(head)}",
                      f"raw.deal_terms deployment_window {head['period']}")
        window_text = total["period"] or f"no end stated: to the end of the delivery term {total['delivery']}"
        notes.add(f"deployment_total_gw:{deal_id}", total["gw"], "GW", f"{total['basis']}: {cite(total)}",
                  f"raw.deal_terms deployment_window {window_text}")
    supplier = dict(frame.select("deal_id", "supplier").unique().iter_rows())
    return pl.DataFrame([(d, month_date(m), gw, supplier[d]) for d, m, gw in out], orient="row",
                        schema={"deal_id": pl.String, "month": pl.Date, "gw": pl.Float64, "supplier": pl.String})


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
                     notes: Notes) -> tuple[str, float, float, str]:
    """(deal whose GW trigger the money, USD bn per GW, cap, investor): the cap is the stated ceiling
    less the equity the same investor put in through the same overlap group. The money is a letter
    of intent's: the deal whose GW trigger it happens only with it (`loi_deal`)."""
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
    notes.add(f"loi_deal:{deal}", None, "", "its GW, their cost and the per-GW money happen together, only on the "
              "paths where the letter of intent happens (nvidia_loi_probability); nothing replaces that capacity "
              "on the other paths", f"raw.deal_terms per_gw_investment {rate['deal_id']}")
    return deal, rate["value"], ceiling["value"] - already, investor


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
