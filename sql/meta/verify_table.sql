-- Read back every value of one table ($table: schema.table). DuckDB verifies each block's checksum
-- as it reads it, and fails on a block beyond the end of a truncated file. count(*) alone, or
-- min/max, would not do: DuckDB answers them without reading every block.
SELECT count(*) AS rows, bit_xor(hash(COLUMNS(*)))
FROM query_table($table);
