-- Data as of: per ticker in core.prices, the rows, first and last trading day, last close and the
-- source(s) that served the bars (snapshot or a live source).
SELECT ticker, count(*) AS rows, min(trade_date) AS first_trade_date, max(trade_date) AS last_trade_date,
       arg_max(close, trade_date) AS last_close, any_value(currency) AS currency,
       string_agg(DISTINCT source, ',' ORDER BY source) AS sources
FROM core.prices
GROUP BY ticker
ORDER BY ticker;
