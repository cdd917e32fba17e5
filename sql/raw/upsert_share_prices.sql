-- Replace the slice [$start, $end] of raw.share_prices for the tickers in `batch` with `batch`.
-- Rows whose values did not change are left alone (fetched_at included), so a rerun with the
-- same data changes nothing; rows the source no longer has for that slice are removed.
DELETE FROM raw.share_prices AS t
WHERE t.trade_date BETWEEN $start AND $end
  AND t.ticker IN (SELECT unnest($tickers::VARCHAR[]))
  AND NOT EXISTS (SELECT 1 FROM batch b WHERE b.ticker = t.ticker AND b.trade_date = t.trade_date);

MERGE INTO raw.share_prices AS t
USING batch AS b
ON t.ticker = b.ticker AND t.trade_date = b.trade_date
WHEN MATCHED AND (
       t.open IS DISTINCT FROM b.open OR t.high IS DISTINCT FROM b.high OR t.low IS DISTINCT FROM b.low
    OR t.close IS DISTINCT FROM b.close OR t.adj_close IS DISTINCT FROM b.adj_close
    OR t.volume IS DISTINCT FROM b.volume OR t.currency IS DISTINCT FROM b.currency
    OR t.source IS DISTINCT FROM b.source)
  THEN UPDATE SET open = b.open, high = b.high, low = b.low, close = b.close, adj_close = b.adj_close,
                  volume = b.volume, currency = b.currency, source = b.source, fetched_at = b.fetched_at
WHEN NOT MATCHED THEN INSERT BY NAME;
