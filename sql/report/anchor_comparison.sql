-- The base case beside the published estimates (sim.anchor_comparison), outside money first.
SELECT anchor_id, publisher, quantity, period, anchor_value, unit, model_p05, model_p50, model_p95,
       ratio_model_to_anchor, model_covers, driver, source_url, source_date
FROM sim.anchor_comparison
ORDER BY list_position(['outside_money_cumulative', 'cash_burn_cumulative', 'cash_burn_annual', 'revenue_annual',
                        'compute_spend_cumulative', 'compute_commitments_total', 'compute_capacity_gw'], quantity),
         period, anchor_id;
