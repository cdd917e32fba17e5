-- SEC EDGAR, as fetched (live data.sec.gov or the bundled snapshot) and validated.

-- XBRL company facts: exactly one row per (cik, metric, unit, start, "end") after de-duplication
-- (frame rule, then the latest filing; proxy statements rank last). start is null for instants
-- (balances, RPO, shares outstanding), so it cannot be part of a primary key; the writer and the
-- asset check keep the key unique. form/fy/fp/filed/accn describe the filing that carried the
-- kept row; first_* the period's first report; n_reports how many reports were merged.
CREATE TABLE IF NOT EXISTS raw.sec_company_facts (
    cik            VARCHAR NOT NULL,
    ticker         VARCHAR NOT NULL,
    taxonomy       VARCHAR NOT NULL,
    concept        VARCHAR NOT NULL,
    metric         VARCHAR NOT NULL,
    unit           VARCHAR NOT NULL,
    "start"        DATE,
    "end"          DATE    NOT NULL,
    val            DOUBLE  NOT NULL,
    form           VARCHAR,
    fy             BIGINT,
    fp             VARCHAR,
    filed          DATE    NOT NULL,
    accn           VARCHAR NOT NULL,
    frame          VARCHAR,
    first_filed    DATE    NOT NULL,
    first_accn     VARCHAR NOT NULL,
    first_form     VARCHAR,
    first_fy       BIGINT,
    first_fp       VARCHAR,
    n_reports      BIGINT  NOT NULL,
    values_differ  BOOLEAN NOT NULL,
    source         VARCHAR NOT NULL,
    fetched_at     TIMESTAMPTZ NOT NULL
);

-- The watched companies' recent filings (submissions API, filings.recent) of the forms that
-- matter here: 8-K, 10-K, 10-Q (and their amendments, and 20-F for foreign filers).
CREATE TABLE IF NOT EXISTS raw.sec_filings (
    cik               VARCHAR NOT NULL,
    ticker            VARCHAR NOT NULL,
    company           VARCHAR,
    form              VARCHAR NOT NULL,
    accession_number  VARCHAR NOT NULL,
    filing_date       DATE    NOT NULL,
    report_date       DATE,
    items             VARCHAR NOT NULL,
    primary_document  VARCHAR,
    document_url      VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (cik, accession_number)
);

-- 8-Ks with Item 1.01 (material definitive agreement) from watched companies: candidates for
-- deals.csv. status comes from data/registry/candidate_reviews.csv (no row there = 'new');
-- rows are never deleted, so a candidate stays after it leaves the SEC's recent list.
CREATE TABLE IF NOT EXISTS raw.deal_candidates (
    cik               VARCHAR NOT NULL,
    ticker            VARCHAR NOT NULL,
    company           VARCHAR,
    form              VARCHAR NOT NULL,
    accession_number  VARCHAR NOT NULL,
    filing_date       DATE    NOT NULL,
    items             VARCHAR NOT NULL,
    document_url      VARCHAR NOT NULL,
    status            VARCHAR NOT NULL CHECK (status IN ('new', 'reviewed', 'added', 'dismissed')),
    review_note       VARCHAR,
    first_seen_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (cik, accession_number)
);
