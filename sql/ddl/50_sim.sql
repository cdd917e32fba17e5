-- Outputs of the Monte Carlo simulation (assets/simulation), one slice per scenario.
CREATE TABLE IF NOT EXISTS sim.scenario_inputs (
    scenario              VARCHAR NOT NULL,
    parameter             VARCHAR NOT NULL,
    value                 DOUBLE,
    unit                  VARCHAR,
    source_or_assumption  VARCHAR,
    estimated_from        VARCHAR
);

CREATE TABLE IF NOT EXISTS sim.path_quantiles (
    scenario  VARCHAR NOT NULL,
    month     DATE    NOT NULL,
    metric    VARCHAR NOT NULL,
    unit      VARCHAR,
    p05 DOUBLE, p25 DOUBLE, p50 DOUBLE, p75 DOUBLE, p95 DOUBLE
);

CREATE TABLE IF NOT EXISTS sim.outcomes (
    scenario  VARCHAR NOT NULL,
    outcome   VARCHAR NOT NULL,
    month     DATE,
    value     DOUBLE,
    unit      VARCHAR
);

CREATE TABLE IF NOT EXISTS sim.sample_paths (
    scenario          VARCHAR NOT NULL,
    path              BIGINT  NOT NULL,
    month             DATE    NOT NULL,
    cash              DOUBLE,
    revenue           DOUBLE,
    compute_spend     DOUBLE,
    gw_online         DOUBLE,
    vendor_financing  DOUBLE,
    amd_price         DOUBLE,
    outside_money     DOUBLE
);

-- The base case beside published estimates (data/registry/anchors.csv), same definitions.
CREATE TABLE IF NOT EXISTS sim.anchor_comparison (
    anchor_id              VARCHAR NOT NULL,
    publisher              VARCHAR,
    quantity               VARCHAR,
    period                 VARCHAR,
    anchor_value           DOUBLE,
    unit                   VARCHAR,
    model_p05              DOUBLE,
    model_p50              DOUBLE,
    model_p95              DOUBLE,
    ratio_model_to_anchor  DOUBLE,
    model_covers           VARCHAR,
    driver                 VARCHAR,
    source_url             VARCHAR,
    source_date            VARCHAR,
    definition             VARCHAR
);

-- One-at-a-time swings of every base-case parameter over its stated range (tornado chart).
CREATE TABLE IF NOT EXISTS sim.sensitivity (
    scenario      VARCHAR NOT NULL,
    parameter     VARCHAR NOT NULL,
    unit          VARCHAR,
    value         DOUBLE,
    low           DOUBLE,
    high          DOUBLE,
    outcome       VARCHAR NOT NULL,
    outcome_unit  VARCHAR,
    at_value      DOUBLE,
    at_low        DOUBLE,
    at_high       DOUBLE,
    swing         DOUBLE,
    n_paths       BIGINT,
    seed          BIGINT
);

-- Whether each simulation slice was built or skipped, and why (the report explains a gap). No
-- timestamp: the same inputs rebuild the same bytes (Dagster's event log says when a slice was built).
CREATE TABLE IF NOT EXISTS sim.status (
    part      VARCHAR NOT NULL,   -- a scenario, or 'comparison'
    status    VARCHAR NOT NULL,   -- built | skipped
    reason    VARCHAR
);
ALTER TABLE sim.status DROP COLUMN IF EXISTS built_at;  -- written by the first version of this table
