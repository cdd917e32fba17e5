-- Every table of the warehouse as schema.table (what `verify` reads back and the build ledger hashes).
SELECT schema_name || '.' || table_name AS table_name
FROM duckdb_tables()
WHERE NOT internal
ORDER BY 1;
