-- Asset check on mart.deal_reactions (no rows = pass): the returns recompute from core.prices by an
-- independent route. The mart walks a session calendar; here each ticker's own series is used:
-- return_day0 is core.prices.simple_return on event_date (window lag in sql/core/prices.sql), the
-- cumulative returns compound (1 + simple_return) over the ticker's next 3 / 5 bars from
-- event_date, and the market-adjusted returns subtract SPY's / QQQ's simple_return on event_date.
-- The mart rounds to 4 decimals, so a difference above 0.00005 (plus float noise) fails; rows
-- whose mart value is null are skipped. Rows without returns (approximate dates) must have none.
WITH rows AS (
    SELECT deal_id, ticker, event_date, return_day0, return_cum_0_2, return_cum_0_4,
           market_adjusted_day0_spy, market_adjusted_day0_qqq
    FROM mart.deal_reactions
    WHERE return_day0 IS NOT NULL
),
following AS (
    SELECT r.deal_id, r.ticker, p.simple_return,
           row_number() OVER (PARTITION BY r.deal_id, r.ticker ORDER BY p.trade_date) AS n
    FROM rows r
    JOIN core.prices p ON p.ticker = r.ticker AND p.trade_date >= r.event_date
),
recomputed AS (
    SELECT
        r.*,
        (SELECT simple_return FROM core.prices p WHERE p.ticker = r.ticker AND p.trade_date = r.event_date) AS day0,
        (SELECT product(1 + simple_return) - 1 FROM following f WHERE f.deal_id = r.deal_id AND f.ticker = r.ticker AND f.n <= 3) AS cum_0_2,
        (SELECT product(1 + simple_return) - 1 FROM following f WHERE f.deal_id = r.deal_id AND f.ticker = r.ticker AND f.n <= 5) AS cum_0_4,
        (SELECT simple_return FROM core.prices p WHERE p.ticker = 'SPY' AND p.trade_date = r.event_date) AS spy,
        (SELECT simple_return FROM core.prices p WHERE p.ticker = 'QQQ' AND p.trade_date = r.event_date) AS qqq
    FROM rows r
)
SELECT deal_id, ticker, event_date, measure, mart_value, recomputed
FROM recomputed
CROSS JOIN LATERAL (VALUES
    ('return_day0', return_day0, day0),
    ('return_cum_0_2', return_cum_0_2, cum_0_2),
    ('return_cum_0_4', return_cum_0_4, cum_0_4),
    ('market_adjusted_day0_spy', market_adjusted_day0_spy, day0 - spy),
    ('market_adjusted_day0_qqq', market_adjusted_day0_qqq, day0 - qqq)
) AS m(measure, mart_value, recomputed)
WHERE mart_value IS NOT NULL AND (recomputed IS NULL OR abs(mart_value - recomputed) > 0.00005 + 1e-12)
UNION ALL
SELECT deal_id, ticker, announced_on, 'returns on a row without a day-precise session', return_day0, NULL
FROM mart.deal_reactions
WHERE returns_status <> 'ok' AND (return_day0 IS NOT NULL OR ar_day0_spy IS NOT NULL OR event_date IS NOT NULL)
ORDER BY deal_id, ticker, measure;
