"""Read everything the report shows from the warehouse: the SELECTs in sql/report/ and the charts."""

from __future__ import annotations

import duckdb

from ..warehouse import query
from . import warehouse_charts
from .page import CHARTS, ReportData

# CHARTS key -> the function drawing it from the warehouse
REPORT_CHARTS = {
    "network": warehouse_charts.deal_network,
    "prices": warehouse_charts.prices_with_reactions,
    "cost_per_gw": warehouse_charts.cost_per_gw,
    "commitments": warehouse_charts.commitments,
    "revenue_mix": warehouse_charts.revenue_mix,
    "cash_fan": warehouse_charts.cash_fan,
    "outside_money": warehouse_charts.outside_money,
    "tornado": warehouse_charts.tornado,
}
assert set(REPORT_CHARTS) == set(CHARTS), "every chart of the page needs a renderer"


def collect(conn: duckdb.DuckDBPyConnection) -> ReportData:
    """The report's tables and charts, read in one go on one connection."""

    def q(name: str):
        return query(conn, f"report/{name}.sql")

    return ReportData(
        price_freshness=q("price_freshness"),
        registry_freshness=q("registry_freshness"),
        sec_freshness=q("sec_freshness"),
        cycles=q("capital_cycles"),
        reactions=q("reactions_top"),
        cost_per_gw=q("cost_per_gw"),
        commitments=q("commitments_table"),
        warrants=q("warrant_tranches"),
        outcomes=q("outcomes"),
        headline=q("headline"),
        anchors=q("anchor_comparison"),
        sim_status=q("sim_status"),
        sources=q("deal_sources"),
        charts={key: draw(conn) for key, draw in REPORT_CHARTS.items()},
    )
