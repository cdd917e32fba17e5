-- The build ledger: which inputs each derived table (and partition) was last built from.
SELECT table_name, part, inputs FROM meta.build_state ORDER BY ALL;
