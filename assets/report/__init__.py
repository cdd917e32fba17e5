"""Charts and the offline HTML report.

charts.py draws the project's charts from polars frames into PNG bytes (matplotlib, Agg; no
Dagster, no DuckDB). warehouse_charts.py reads each chart's data with its SELECT in sql/report/ and
renders it: the mart, core and simulation assets pass these functions to show their chart in the
Dagster UI. embed.py turns PNG bytes into Dagster markdown metadata. page.py renders the
self-contained HTML page (no Dagster) and assets.py holds the `report/perpetuum` asset that writes
it to the folder of `ReportResource` (resource.py).

Importing this package loads neither matplotlib nor Dagster; import the modules you need.
"""
