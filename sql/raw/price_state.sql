-- Fingerprint of the raw price tables for the refresh's staleness test (pipelines/staleness.py):
-- row counts and an order-independent hash of every stored value (fetched_at left out, so a
-- refetch that changed nothing keeps the fingerprint).
SELECT
    (SELECT count(*) FROM raw.share_prices) AS price_rows,
    (SELECT coalesce(bit_xor(hash(ticker, trade_date, open, high, low, close, adj_close, volume, currency, source)), 0)
     FROM raw.share_prices) AS price_hash,
    (SELECT count(*) FROM raw.corporate_actions) AS action_rows,
    (SELECT coalesce(bit_xor(hash(ticker, ex_date, action, value, source)), 0) FROM raw.corporate_actions) AS action_hash;
