-- Partition days in [$start, $end] the refresh must (re)fetch: never asked, asked for another
-- ticker universe, or beyond the coverage of another source chain — or of a live chain
-- ($live = true), whose coverage grows every trading day.
SELECT CAST(d AS DATE) AS trade_date
FROM range(CAST($start AS DATE), CAST($end AS DATE) + INTERVAL 1 DAY, INTERVAL 1 DAY) AS days(d)
LEFT JOIN raw.share_price_coverage c ON c.trade_date = CAST(d AS DATE)
WHERE c.trade_date IS NULL
   OR c.tickers <> $tickers
   OR (NOT c.complete AND (c.sources <> $sources OR $live))
ORDER BY 1;
