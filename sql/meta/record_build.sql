-- One derived table (and partition) was just built from $inputs (inside its write transaction).
INSERT OR REPLACE INTO meta.build_state (table_name, part, inputs) VALUES ($table_name, $part, $inputs);
