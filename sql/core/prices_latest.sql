-- Per ticker: rows, first and last trading day, last close (for metadata and the refresh summary).
SELECT ticker, count(*) AS rows, min(trade_date) AS first_trade_date, max(trade_date) AS last_trade_date,
       arg_max(close, trade_date) AS last_close, any_value(currency) AS currency,
       string_agg(DISTINCT source, ',' ORDER BY source) AS sources
FROM core.prices
GROUP BY ticker
ORDER BY ticker;
