-- The build ledger (assets/warehouse_state.py): for every derived table (and partition; '' when
-- it has none), a fingerprint of the inputs it was last built from, written by the transaction
-- that built it. No timestamps: rebuilding from the same inputs leaves the ledger identical.
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.build_state (
    table_name  VARCHAR NOT NULL,
    part        VARCHAR NOT NULL,
    inputs      VARCHAR NOT NULL,
    PRIMARY KEY (table_name, part)
);
