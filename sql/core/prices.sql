-- core.prices: one row per ticker and trading day, with a dividend-adjusted close and daily returns.
--
-- adj_close is recomputed here from raw.corporate_actions, whatever the source, so every row is
-- adjusted the same way (the CRSP/Yahoo method): on each ex-date the prices before it are
-- multiplied by (1 - dividend / close of the trading day before the ex-date). A dividend whose
-- ex-date is not a trading day applies from the next trading day; one that would apply on the
-- ticker's first stored day has no close before it and is left out. Splits are already divided
-- through in every source's prices, so they need no factor here.
--
-- The build is incremental and gives exactly (bit for bit) what a build into an empty table gives:
--   1. Per ticker, F = the first trading day where raw.share_prices and core.prices differ (open,
--      high, low, close, volume, currency or source, or a row on one side only).
--   2. The whole ticker is recomputed when its dividend days from raw differ from the `dividend`
--      column kept in core.prices, or when it has a dividend day on or after F: a dividend changes
--      the adj_close of every row before it.
--   3. Otherwise only the rows from F on are recomputed, from the raw rows since the trading day
--      before F: with no dividend day from F on, their adj_close is close * exp(0) as in a whole
--      build, and lag() at F sees the same previous row. Tickers without a difference stay as
--      they are; the rows of tickers gone from raw are deleted.
-- Sums run in a fixed order (by ex-date; latest dividend day first), not as window sums, whose
-- rounding follows how the rows fall into partitions: so a ticker's values never depend on which
-- other tickers are computed with it. An empty core.prices makes every ticker a whole one. The
-- asset runs this file in one transaction; temp.prices_scope stays on the connection and says
-- what the build did (sql/core/prices_build.sql).

-- Column order and types as CORE_PRICES_COLUMNS (assets/market/core_prices.py), which documents
-- them; the asset drops the table when it was built by another version of this file.
CREATE TABLE IF NOT EXISTS core.prices (
    ticker           VARCHAR NOT NULL,
    trade_date       DATE    NOT NULL,
    prev_trade_date  DATE,
    open             DOUBLE,
    high             DOUBLE,
    low              DOUBLE,
    close            DOUBLE  NOT NULL,
    adj_close        DOUBLE,
    dividend         DOUBLE,
    volume           BIGINT,
    currency         VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    simple_return    DOUBLE,
    log_return       DOUBLE
);

-- What the views below compute: the raw rows of these tickers from read_from on. keep_from: the
-- first day written to core.prices; whole: from the ticker's first day; removed: gone from raw.
-- First, to find the dividend days, the whole history of every ticker with dividends.
CREATE OR REPLACE TEMP TABLE prices_scope AS
SELECT DISTINCT ticker, DATE '-infinity' AS read_from, DATE '-infinity' AS keep_from, true AS whole, false AS removed
FROM raw.corporate_actions
WHERE action = 'dividend';

-- The adjustment, written once.
CREATE OR REPLACE TEMP VIEW prices_raw AS
SELECT r.ticker, r.trade_date, r.open, r.high, r.low, r.close, r.volume, r.currency, r.source
FROM raw.share_prices r
JOIN prices_scope s ON s.ticker = r.ticker AND r.trade_date >= s.read_from;

CREATE OR REPLACE TEMP VIEW prices_dividend_days AS  -- each dividend on the first trading day on or after its ex-date
SELECT
    d.ticker,
    b.trade_date,
    list_sum(list(d.value ORDER BY d.ex_date)) AS dividend,
    count(*) AS dividends,
    list_sum(list(ln(1 - d.value / p.close) ORDER BY d.ex_date)) AS log_factor
FROM (SELECT ticker, ex_date, value FROM raw.corporate_actions WHERE action = 'dividend') d
ASOF JOIN prices_raw b ON b.ticker = d.ticker AND b.trade_date >= d.ex_date
ASOF JOIN prices_raw p ON p.ticker = d.ticker AND p.trade_date < d.ex_date  -- the day before: none before the first
GROUP BY ALL;

CREATE OR REPLACE TEMP VIEW prices_built AS
WITH factors AS (  -- per ticker, its dividend days, latest first
    SELECT
        ticker,
        list(trade_date ORDER BY trade_date DESC) AS days,
        list(dividend ORDER BY trade_date DESC) AS dividends,
        list(log_factor ORDER BY trade_date DESC) AS logs
    FROM prices_dividend_days
    GROUP BY ticker
),
cumulative AS (  -- per dividend day: the log factors of the later dividend days, and of these and its own
    SELECT
        ticker,
        unnest(days) AS trade_date,
        unnest(dividends) AS dividend,
        unnest(list_transform(range(1, len(days) + 1), lambda i: list_sum(logs[1:i - 1]))) AS logs_after,
        unnest(list_transform(range(1, len(days) + 1), lambda i: list_sum(logs[1:i]))) AS logs_from
    FROM factors
),
adjusted AS (  -- adj_close = close * exp(log factors of the dividend days after this day)
    SELECT
        b.*,
        lag(b.trade_date) OVER (PARTITION BY b.ticker ORDER BY b.trade_date) AS prev_trade_date,
        CASE WHEN c.trade_date = b.trade_date THEN c.dividend END AS dividend,
        b.close * exp(coalesce(CASE WHEN c.trade_date = b.trade_date THEN c.logs_after ELSE c.logs_from END, 0)) AS adj_close
    FROM prices_raw b
    ASOF LEFT JOIN cumulative c ON c.ticker = b.ticker AND c.trade_date >= b.trade_date  -- the next dividend day
)
SELECT
    ticker,
    trade_date,
    prev_trade_date,
    open,
    high,
    low,
    close,
    adj_close,
    dividend,
    volume,
    currency,
    source,
    adj_close / lag(adj_close) OVER w - 1 AS simple_return,
    ln(adj_close / lag(adj_close) OVER w) AS log_return
FROM adjusted
WINDOW w AS (PARTITION BY ticker ORDER BY trade_date);

-- Per ticker with a difference: F (changed_from, null if only dividends changed) and whether the
-- whole ticker must be recomputed.
CREATE OR REPLACE TEMP TABLE prices_plan AS
WITH changed_rows AS (
    SELECT
        coalesce(r.ticker, c.ticker) AS ticker,
        min(coalesce(r.trade_date, c.trade_date)) AS changed_from,
        bool_or(r.ticker IS NOT NULL) AS in_raw
    FROM raw.share_prices r
    FULL JOIN core.prices c ON c.ticker = r.ticker AND c.trade_date = r.trade_date
    WHERE r.ticker IS NULL OR c.ticker IS NULL
       OR r.open IS DISTINCT FROM c.open OR r.high IS DISTINCT FROM c.high OR r.low IS DISTINCT FROM c.low
       OR r.close IS DISTINCT FROM c.close OR r.volume IS DISTINCT FROM c.volume
       OR r.currency IS DISTINCT FROM c.currency OR r.source IS DISTINCT FROM c.source
    GROUP BY 1
),
dividend_days AS (  -- from raw (new) and in core.prices (old). core.prices keeps a day's sum only,
                    -- so a day with several dividends always counts as changed.
    SELECT
        coalesce(new.ticker, old.ticker) AS ticker,
        coalesce(new.trade_date, old.trade_date) AS trade_date,
        new.dividend IS DISTINCT FROM old.dividend OR new.dividends > 1 AS changed
    FROM prices_dividend_days new
    FULL JOIN (SELECT ticker, trade_date, dividend FROM core.prices WHERE dividend IS NOT NULL) old
        ON old.ticker = new.ticker AND old.trade_date = new.trade_date
)
SELECT
    ticker,
    any_value(c.changed_from) AS changed_from,
    coalesce(any_value(c.in_raw), true) AS in_raw,
    coalesce(bool_or(d.changed OR d.trade_date >= c.changed_from), false) AS whole
FROM changed_rows c
FULL JOIN dividend_days d USING (ticker)
GROUP BY ticker
HAVING any_value(c.changed_from) IS NOT NULL OR bool_or(d.changed);

-- Now the tickers to recompute: whole, or from the last raw trading day before F (whole when
-- there is none).
CREATE OR REPLACE TEMP TABLE prices_scope AS
WITH located AS (
    SELECT
        *,
        (SELECT max(r.trade_date) FROM raw.share_prices r
         WHERE r.ticker = p.ticker AND r.trade_date < p.changed_from) AS day_before
    FROM prices_plan p
)
SELECT
    ticker,
    CASE WHEN whole OR day_before IS NULL THEN DATE '-infinity' ELSE day_before END AS read_from,
    CASE WHEN whole OR day_before IS NULL THEN DATE '-infinity' ELSE changed_from END AS keep_from,
    whole OR day_before IS NULL AS whole,
    NOT in_raw AS removed
FROM located;

DELETE FROM core.prices c
USING prices_scope s
WHERE c.ticker = s.ticker AND c.trade_date >= s.keep_from;

INSERT INTO core.prices BY NAME
SELECT b.*
FROM prices_built b
JOIN prices_scope s ON s.ticker = b.ticker AND b.trade_date >= s.keep_from
ORDER BY b.ticker, b.trade_date;

DROP VIEW prices_built;
DROP VIEW prices_dividend_days;
DROP VIEW prices_raw;
DROP TABLE prices_plan;
