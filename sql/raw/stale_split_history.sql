-- Tickers whose batch (`splits`: ticker, ex_date of the batch's splits) brings a split that
-- raw.corporate_actions does not hold yet, while rows dated before both the batch's first day
-- ($start) and the split are stored: those rows were fetched before the source knew of the split,
-- so they are not divided by it (every source divides a split through the whole history it serves)
-- and must be fetched again. One row per ticker with its first stored trade date.
SELECT s.ticker, min(p.trade_date) AS first_stored
FROM (SELECT DISTINCT ticker, ex_date FROM splits) AS s
JOIN raw.share_prices AS p ON p.ticker = s.ticker AND p.trade_date < $start AND p.trade_date < s.ex_date
WHERE NOT EXISTS (
    SELECT 1 FROM raw.corporate_actions AS a
    WHERE a.ticker = s.ticker AND a.ex_date = s.ex_date AND a.action = 'split'
)
GROUP BY s.ticker
ORDER BY s.ticker;
