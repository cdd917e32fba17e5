-- core.prices: one row per ticker and trading day, with a dividend-adjusted close and daily returns.
--
-- adj_close is recomputed here from raw.corporate_actions, whatever the source, so every row is
-- adjusted the same way (the CRSP/Yahoo method): on each ex-date the prices before it are
-- multiplied by (1 - dividend / close of the trading day before the ex-date). A dividend whose
-- ex-date is not a trading day applies from the next trading day. Splits are already divided
-- through in every source's prices, so they need no factor here.
CREATE OR REPLACE TABLE core.prices AS
WITH bars AS (
    SELECT
        ticker, trade_date, open, high, low, close, volume, currency, source,
        lag(trade_date) OVER w AS prev_trade_date,
        lag(close) OVER w AS prev_close
    FROM raw.share_prices
    WINDOW w AS (PARTITION BY ticker ORDER BY trade_date)
),
dividends AS (
    SELECT ticker, ex_date, value AS dividend
    FROM raw.corporate_actions
    WHERE action = 'dividend'
),
dividend_days AS (  -- each dividend on the first trading day on or after its ex-date
    SELECT b.ticker, b.trade_date, sum(ln(1 - d.dividend / b.prev_close)) AS log_factor
    FROM dividends d
    ASOF JOIN bars b ON b.ticker = d.ticker AND b.trade_date >= d.ex_date
    WHERE b.prev_close IS NOT NULL
    GROUP BY ALL
),
adjusted AS (
    SELECT
        b.*,
        coalesce(dd.log_factor, 0) AS log_factor
    FROM bars b
    LEFT JOIN dividend_days dd USING (ticker, trade_date)
),
factored AS (
    SELECT
        *,
        close * exp(coalesce(sum(log_factor) OVER (
            PARTITION BY ticker ORDER BY trade_date ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
        ), 0)) AS adj_close
    FROM adjusted
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
    volume,
    currency,
    source,
    adj_close / lag(adj_close) OVER w - 1 AS simple_return,
    ln(adj_close / lag(adj_close) OVER w) AS log_return
FROM factored
WINDOW w AS (PARTITION BY ticker ORDER BY trade_date)
ORDER BY ticker, trade_date;
