-- Asset check on mart.warrant_tranches (no rows = pass): where the registry states a warrant's total
-- share count, the rows that make up the warrant (counts_in_totals) add up to it within 0.1 %
-- (the registry's even split 160 / 6 = 26.666667 rounds), and every warrant has such rows.
SELECT deal_id, any_value(total_shares_m) AS total_shares_m,
       sum(shares_m) FILTER (counts_in_totals) AS summed_shares_m,
       count(*) FILTER (counts_in_totals) AS rows_in_totals
FROM mart.warrant_tranches
GROUP BY deal_id
HAVING count(*) FILTER (counts_in_totals) = 0
    OR abs(sum(shares_m) FILTER (counts_in_totals) - any_value(total_shares_m)) > 0.001 * any_value(total_shares_m)
ORDER BY deal_id;
