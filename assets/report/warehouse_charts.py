"""Each chart rendered from the warehouse: its SELECT in sql/report/, then the pure function in
charts.py. These are the `chart=` callables of the mart, core and simulation assets (signature
`(connection) -> PNG bytes`). matplotlib is imported on first use, not when the code location loads.
"""

from __future__ import annotations

import duckdb

from ..warehouse import query


def _charts():
    from . import charts  # matplotlib: loaded only when a chart is drawn

    return charts


def prices_with_registry_announcements(conn: duckdb.DuckDBPyConnection) -> bytes:
    """core/prices: deal parties' prices with markers at the registry's announcement dates."""
    return _charts().prices_chart(query(conn, "report/deal_party_prices.sql"), query(conn, "report/registry_announcements.sql"))


def prices_with_reactions(conn: duckdb.DuckDBPyConnection) -> bytes:
    """mart/deal_reactions and the report: markers at each reaction's event session."""
    return _charts().prices_chart(query(conn, "report/deal_party_prices.sql"), query(conn, "report/reaction_events.sql"))


def revenue_mix(conn: duckdb.DuckDBPyConnection) -> bytes:
    return _charts().revenue_mix_chart(query(conn, "report/revenue_mix.sql"))


def cost_per_gw(conn: duckdb.DuckDBPyConnection) -> bytes:
    return _charts().cost_per_gw_chart(query(conn, "report/cost_per_gw.sql"))


def commitments(conn: duckdb.DuckDBPyConnection) -> bytes:
    return _charts().commitments_chart(query(conn, "report/commitments_by_year.sql"))


def deal_network(conn: duckdb.DuckDBPyConnection) -> bytes:
    return _charts().deal_network_chart(query(conn, "report/deal_edges.sql"), query(conn, "report/capital_cycles.sql"))


def cash_fan(conn: duckdb.DuckDBPyConnection) -> bytes:
    return _charts().cash_fan_chart(query(conn, "report/cash_quantiles.sql"))


def outside_money(conn: duckdb.DuckDBPyConnection) -> bytes:
    return _charts().outside_money_chart(query(conn, "report/outside_money.sql"))


def tornado(conn: duckdb.DuckDBPyConnection) -> bytes:
    return _charts().tornado_chart(query(conn, "report/sensitivity.sql"))
