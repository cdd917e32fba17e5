-- Replace the slice [$start, $end] of raw.corporate_actions for the tickers in $tickers.
DELETE FROM raw.corporate_actions AS t
WHERE t.ex_date BETWEEN $start AND $end
  AND t.ticker IN (SELECT unnest($tickers::VARCHAR[]))
  AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.ticker = t.ticker AND a.ex_date = t.ex_date AND a.action = t.action);

MERGE INTO raw.corporate_actions AS t
USING actions AS a
ON t.ticker = a.ticker AND t.ex_date = a.ex_date AND t.action = a.action
WHEN MATCHED AND (t.value IS DISTINCT FROM a.value OR t.source IS DISTINCT FROM a.source)
  THEN UPDATE SET value = a.value, source = a.source
WHEN NOT MATCHED THEN INSERT BY NAME;
