-- Asset check on mart.commitment_schedule (no rows = pass; a warning): a counted deal whose
-- money is spread over years adds up to its headline amount within the tolerance. A gap means a
-- payment schedule that covers only part of the deal (or more than it).
WITH params AS (
    -- Modelling choice: the registry rounds even splits to 6 decimals (38 / 7 = 5.428571), so
    -- 0.5 % of the headline amount is rounding, not a gap.
    SELECT 0.005 AS spread_relative_tolerance
),
terms AS (
    SELECT t.deal_id, sum(t.value) AS scheduled_usd_bn
    FROM raw.deal_terms t
    WHERE t.term_type = 'payment_schedule' AND t.unit = 'USD bn' AND t.period IS NOT NULL
    GROUP BY t.deal_id
),
counted AS (
    SELECT DISTINCT unnest(deal_ids) AS deal_id
    FROM mart.commitment_schedule
    WHERE calendar_year IS NOT NULL
)
SELECT f.deal_id, f.amount_usd_bn, t.scheduled_usd_bn, p.spread_relative_tolerance
FROM counted c
JOIN core.deal_flows f USING (deal_id)
LEFT JOIN terms t USING (deal_id)
CROSS JOIN params p
WHERE f.amount_usd_bn IS NOT NULL AND t.scheduled_usd_bn IS NOT NULL
  AND abs(t.scheduled_usd_bn - f.amount_usd_bn) > p.spread_relative_tolerance * f.amount_usd_bn
ORDER BY f.deal_id;
