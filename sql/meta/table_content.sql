-- The content of one table ($table: schema.table) as rows and an order-independent hash of its
-- rows, the columns that only say when a row was written left out. Each row is hashed as its text:
-- DuckDB's multi-column hash combines the columns' hashes linearly, so the XOR over rows of
-- hash(a, b) would not change when two rows swap a value.
SELECT
    count(*) AS rows,
    coalesce(bit_xor(hash(row(*COLUMNS(lambda c: c NOT IN ('fetched_at', 'first_seen_at')))::VARCHAR)), 0) AS hash
FROM query_table($table);
