-- core.prices built by another version of sql/core/prices.sql or of DuckDB: its rows may differ from
-- what this one computes (and its columns from the DDL), so this build starts from scratch.
DROP TABLE IF EXISTS core.prices;
