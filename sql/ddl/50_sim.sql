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
