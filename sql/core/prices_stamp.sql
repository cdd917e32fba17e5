-- core.prices' table comment: which version of sql/core/prices.sql (and DuckDB) built it; no row
-- when the table does not exist yet. assets/market/core_prices.py compares it with its own.
SELECT comment AS stamp
FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'core' AND table_name = 'prices';
