-- Partition days in [$start, $end] the refresh must (re)fetch: never asked, asked for another
-- ticker universe, or not complete (beyond a ticker's coverage, or a session of its exchange
-- without a bar) when asked of another source chain — or of a live chain ($live = true), whose
-- coverage grows every trading day and which may serve a skipped day later. The same non-live
-- chain (the bundled snapshot) is not asked again: its answer cannot change.
SELECT CAST(d AS DATE) AS trade_date
FROM range(CAST($start AS DATE), CAST($end AS DATE) + INTERVAL 1 DAY, INTERVAL 1 DAY) AS days(d)
LEFT JOIN raw.share_price_coverage c ON c.trade_date = CAST(d AS DATE)
WHERE c.trade_date IS NULL
   OR c.tickers <> $tickers
   OR (NOT c.complete AND (c.sources <> $sources OR $live))
ORDER BY 1;
