-- The last stored trading day per ticker, with its currency (to pick the exchange calendar).
SELECT ticker, max(trade_date) AS last_trade_date, any_value(currency) AS currency
FROM raw.share_prices
GROUP BY ticker
ORDER BY ticker;
