-- Every table in the warehouse as schema.table: the refresh rebuilds everything when one of
-- the tables its assets write is missing (a new or replaced warehouse file).
SELECT schema_name || '.' || table_name AS table_name
FROM duckdb_tables()
ORDER BY 1;
