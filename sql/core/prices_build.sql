-- What the run of sql/core/prices.sql just made on this connection did (temp.prices_scope): the
-- tickers recomputed whole, those recomputed from their first changed day (and the earliest such
-- day), those removed, and the rows written.
SELECT
    count(*) FILTER (WHERE whole AND NOT removed) AS tickers_rebuilt,
    count(*) FILTER (WHERE NOT whole) AS tickers_updated,
    count(*) FILTER (WHERE removed) AS tickers_removed,
    min(keep_from) FILTER (WHERE NOT whole) AS updated_from,
    (SELECT count(*) FROM core.prices c JOIN prices_scope s ON s.ticker = c.ticker AND c.trade_date >= s.keep_from) AS rows_written
FROM prices_scope;
