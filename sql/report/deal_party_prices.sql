-- Daily dividend-adjusted closes of every listed deal party (a company in raw.companies with a
-- ticker that is a buyer or seller of a deal in raw.deals, by name or alias), from the start of
-- the month before the first announcement on. The chart indexes each ticker to 100 at its first
-- close in this window. Reads only raw tables (created by the DDL) and core.prices, so it also
-- works on core/prices before the registry's core tables exist.
WITH parties AS (
    SELECT DISTINCT c.company, c.ticker
    FROM raw.companies AS c
    JOIN raw.deals AS d
      ON d.buyer = c.company OR d.seller = c.company
      OR list_contains(string_split(coalesce(c.aliases, ''), '|'), d.buyer)
      OR list_contains(string_split(coalesce(c.aliases, ''), '|'), d.seller)
    WHERE c.ticker IS NOT NULL
),
window_start AS (
    SELECT coalesce(date_trunc('month', min(announced_on)) - INTERVAL 1 MONTH,
                    (SELECT min(trade_date) FROM core.prices))::DATE AS start_date
    FROM raw.deals
)
SELECT p.ticker, parties.company, p.trade_date, p.adj_close
FROM core.prices AS p
JOIN parties ON parties.ticker = p.ticker
CROSS JOIN window_start
WHERE p.trade_date >= window_start.start_date AND p.adj_close IS NOT NULL
ORDER BY p.ticker, p.trade_date;
