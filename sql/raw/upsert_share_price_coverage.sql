-- Record, per partition day of the batch (`coverage`), what was asked, how many tickers' sources
-- reached it, and how many tickers miss a bar for a session their exchange held that day. `gaps`
-- lists the sessions without a bar in the batch (ticker, trade_date, reached); one counts as
-- missing when the ticker has a stored bar before it (else it was not listed yet) and its source
-- reached the day or the ticker has a stored bar after it (a hole in its history; otherwise the
-- day is simply beyond the source's reach). Complete = reached by every ticker's source and no
-- bar missing: nothing more to ask for. Runs after the batch's prices are written, in the same
-- transaction; returns the ledger rows written.
INSERT OR REPLACE INTO raw.share_price_coverage BY NAME
WITH stored AS (
    SELECT ticker, min(trade_date) AS first_bar, max(trade_date) AS last_bar
    FROM raw.share_prices
    WHERE ticker IN (SELECT ticker FROM gaps)
    GROUP BY ticker
), missing AS (
    SELECT g.trade_date, count(*) AS tickers
    FROM gaps AS g
    JOIN stored AS s ON s.ticker = g.ticker
    WHERE g.trade_date > s.first_bar AND (g.reached OR g.trade_date < s.last_bar)
    GROUP BY g.trade_date
)
SELECT c.* EXCLUDE (reached),
       coalesce(m.tickers, 0)::INTEGER AS tickers_missing_session,
       c.reached AND m.tickers IS NULL AS complete
FROM coverage AS c
LEFT JOIN missing AS m USING (trade_date)
RETURNING *;
