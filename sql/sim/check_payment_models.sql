-- Counted deals with OpenAI as a party that sim.scenario_inputs neither pays nor lists: no
-- `payment_model:<deal>` row in the scenario's inputs (the asset check wants none).
SELECT s.scenario, f.deal_id, f.kind, f.amount_usd_bn
FROM core.deal_flows f
CROSS JOIN (SELECT DISTINCT scenario FROM sim.scenario_inputs) s
WHERE 'OpenAI' IN (f.payer, f.payee) AND f.counts_in_totals
  AND NOT EXISTS (SELECT 1 FROM sim.scenario_inputs i
                  WHERE i.scenario = s.scenario AND i.parameter = 'payment_model:' || f.deal_id)
ORDER BY s.scenario, f.deal_id;
