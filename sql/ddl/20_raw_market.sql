-- Daily bars as fetched and validated. adj_close is what the source gave (null if none).
CREATE TABLE IF NOT EXISTS raw.share_prices (
    ticker      VARCHAR   NOT NULL,
    trade_date  DATE      NOT NULL,
    open        DOUBLE,
    high        DOUBLE,
    low         DOUBLE,
    close       DOUBLE    NOT NULL,
    adj_close   DOUBLE,
    volume      BIGINT,
    currency    VARCHAR   NOT NULL,
    source      VARCHAR   NOT NULL,
    fetched_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ticker, trade_date)
);

-- Splits (value = new shares per old share) and cash dividends (value per share, listed currency).
CREATE TABLE IF NOT EXISTS raw.corporate_actions (
    ticker   VARCHAR NOT NULL,
    ex_date  DATE    NOT NULL,
    action   VARCHAR NOT NULL CHECK (action IN ('split', 'dividend')),
    value    DOUBLE  NOT NULL,
    source   VARCHAR NOT NULL,
    PRIMARY KEY (ticker, ex_date, action)
);

-- One row per daily partition the refresh has asked for: which sources answered for which
-- universe, how many tickers' sources reached that day, how many tickers have no bar although
-- their exchange held a session that day (after their first stored bar), and whether nothing is
-- left to ask for (complete: reached by every ticker's source and no session missing).
CREATE TABLE IF NOT EXISTS raw.share_price_coverage (
    trade_date               DATE    PRIMARY KEY,
    sources                  VARCHAR NOT NULL,
    tickers                  VARCHAR NOT NULL,
    rows                     INTEGER NOT NULL,
    tickers_covered          INTEGER NOT NULL,
    complete                 BOOLEAN NOT NULL,
    tickers_missing_session  INTEGER  -- null: recorded before sessions were checked
);
-- A warehouse created before the column existed gets it (null on its rows: not checked).
ALTER TABLE raw.share_price_coverage ADD COLUMN IF NOT EXISTS tickers_missing_session INTEGER;
