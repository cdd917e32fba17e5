-- The stated or derived payment terms (raw.deal_terms payment_schedule, USD bn) of the deals the
-- registry pays as rented capacity (payment_model cloud_capacity), in registry order. A
-- cloud_capacity deal without such terms is paid evenly over its delivery term
-- (assets/simulation/deal_inputs.py).
SELECT t.deal_id, t.item, t.period, t.value AS amount_usd_bn, t.basis, t.rule, t.loaded_from,
       t.source_url, t.source_document, t.source_date
FROM raw.deal_terms t
JOIN raw.deal_terms m ON m.deal_id = t.deal_id AND m.term_type = 'payment_model' AND m.item = 'cloud_capacity'
WHERE t.term_type = 'payment_schedule' AND t.unit = 'USD bn'
ORDER BY try_cast(split_part(t.loaded_from, ':', 2) AS INTEGER);
