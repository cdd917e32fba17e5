-- The curated registry (data/registry/*.csv), validated and loaded whole by the registry_files
-- asset. Every row keeps loaded_from ('deals.csv:12': file and line), no load timestamp: loading
-- the same files again gives identical tables. Column meanings: data/registry/README.md.

CREATE TABLE IF NOT EXISTS raw.deals (
    deal_id           VARCHAR PRIMARY KEY,
    announced_on      DATE    NOT NULL,   -- the day, or the first day of a month / quarter
    announced_precision VARCHAR NOT NULL, -- day | month | quarter
    buyer             VARCHAR NOT NULL,   -- as written; resolved to a company in core.deal_flows
    seller            VARCHAR NOT NULL,
    deal_type         VARCHAR NOT NULL,
    amount_usd_bn     DOUBLE,             -- null: not disclosed
    amount_basis      VARCHAR,            -- up to | approx | exact, set exactly when an amount is
    capacity_gw       DOUBLE,
    start_period      VARCHAR,
    end_period        VARCHAR,
    overlap_group     VARCHAR,            -- rows describing the same money; never summed
    overlap_role      VARCHAR,            -- counted | overlaps | umbrella
    event_timing      VARCHAR NOT NULL,
    terms             VARCHAR NOT NULL,
    source_publisher  VARCHAR NOT NULL,
    source_url        VARCHAR,
    source_document   VARCHAR,            -- named document when there is no URL
    source_date       DATE    NOT NULL,
    confidence        VARCHAR NOT NULL,
    loaded_from       VARCHAR NOT NULL
);

-- warehouses built before the column existed get it here (filled on the next registry load)
ALTER TABLE raw.deals ADD COLUMN IF NOT EXISTS announced_precision VARCHAR;

CREATE TABLE IF NOT EXISTS raw.deal_terms (
    deal_id           VARCHAR NOT NULL,
    term_type         VARCHAR NOT NULL,
    item              VARCHAR NOT NULL,
    period            VARCHAR,
    value             DOUBLE,             -- empty only for a payment_model term
    unit              VARCHAR,            -- empty only for a payment_model term
    basis             VARCHAR NOT NULL,   -- stated | derived | assumption
    rule              VARCHAR,
    source_url        VARCHAR,
    source_document   VARCHAR,
    source_date       DATE    NOT NULL,
    note              VARCHAR,
    loaded_from       VARCHAR PRIMARY KEY
);

-- Warehouses built before payment_model terms (no value, no unit) keep working.
ALTER TABLE raw.deal_terms ALTER COLUMN value DROP NOT NULL;
ALTER TABLE raw.deal_terms ALTER COLUMN unit DROP NOT NULL;

CREATE TABLE IF NOT EXISTS raw.companies (
    company                  VARCHAR PRIMARY KEY,
    aliases                  VARCHAR,     -- '|'-separated, as written
    ticker                   VARCHAR,
    exchange                 VARCHAR,
    currency                 VARCHAR NOT NULL,
    sec_cik                  VARCHAR,
    listed                   BOOLEAN NOT NULL,
    shares_outstanding_m     DOUBLE,
    shares_outstanding_date  DATE,
    shares_source_url        VARCHAR,
    note                     VARCHAR,
    loaded_from              VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.openai_metrics (
    metric_id         VARCHAR PRIMARY KEY,
    metric            VARCHAR NOT NULL,
    period            VARCHAR NOT NULL,
    value             DOUBLE  NOT NULL,
    unit              VARCHAR NOT NULL,
    source_publisher  VARCHAR NOT NULL,
    source_url        VARCHAR,
    source_document   VARCHAR,
    source_date       DATE    NOT NULL,
    reliability       VARCHAR NOT NULL,
    note              VARCHAR,
    loaded_from       VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.reference_estimates (
    estimate_id       VARCHAR PRIMARY KEY,
    item              VARCHAR NOT NULL,
    subject           VARCHAR NOT NULL,
    period            VARCHAR NOT NULL,
    value             DOUBLE  NOT NULL,
    unit              VARCHAR NOT NULL,
    low               DOUBLE,
    high              DOUBLE,
    source_publisher  VARCHAR NOT NULL,
    source_url        VARCHAR,
    source_document   VARCHAR,
    source_date       DATE    NOT NULL,
    note              VARCHAR,
    loaded_from       VARCHAR NOT NULL
);
