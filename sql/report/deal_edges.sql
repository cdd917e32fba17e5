-- The deal network: one edge per ordered pair payer -> payee in core.deal_flows, with its flow
-- kinds, the number of flows, the sum of the known amounts that count in totals, and whether any
-- of its flows counts in totals (an edge made only of overlapping or umbrella rows does not).
SELECT
    payer,
    payee,
    array_to_string(list(DISTINCT kind ORDER BY kind), '+') AS kinds,
    count(*) AS n_flows,
    sum(amount_usd_bn) FILTER (counts_in_totals) AS amount_usd_bn,
    bool_or(counts_in_totals) AS counted
FROM core.deal_flows
GROUP BY payer, payee
ORDER BY payer, payee;
