-- Announced amounts per kind of flow in USD bn: over every row (double counts overlap groups)
-- and over the rows that count in totals (one row per overlap group, no umbrella programmes).
SELECT
    kind,
    count(*) AS flows,
    count(amount_usd_bn) AS with_amount,
    round(sum(amount_usd_bn), 3) AS all_rows_usd_bn,
    round(sum(amount_usd_bn) FILTER (counts_in_totals), 3) AS counted_usd_bn
FROM core.deal_flows
GROUP BY kind
ORDER BY kind;
