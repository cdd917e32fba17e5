-- OpenAI's compute commitments per deal and calendar year, exactly as mart.commitment_schedule
-- counts them. The mart sums per year and counterparty; this splits each of its rows back into
-- the counted deals it lists (deal_ids) and the payment terms it summed (source_ids name them by
-- their deal_terms.csv line), so the simulation can spread each amount over its months and defer
-- the payments of deals whose GW come online late.
--   * a row with a term: the term's value for that year (mart rule 1);
--   * a row without a term: a deal the mart split evenly over the years of its term (rule 2);
--     deal_amount_usd_bn, start_period and end_period give the split;
--   * calendar_year NULL: counted commitments the mart does not spread (no amount or no period,
--     rule 3): reported in sim.scenario_inputs, not simulated.
-- mart_committed_usd_bn repeats the mart's figure for the year and counterparty: the simulation
-- refuses to run unless the deals add up to it.
WITH mart_deals AS (
    SELECT m.calendar_year, m.counterparty, m.committed_usd_bn, m.source_ids, u.deal_id,
           array_to_string(m.rules, '; ') AS mart_rules
    FROM mart.commitment_schedule m, unnest(m.deal_ids) AS u(deal_id)
)
SELECT
    d.calendar_year,
    d.counterparty,
    d.deal_id,
    d.committed_usd_bn AS mart_committed_usd_bn,
    d.mart_rules,
    t.loaded_from AS term_id,
    t.period AS term_period,
    t.value AS term_usd_bn,
    coalesce(t.basis, 'derived') AS basis,
    coalesce(t.rule, 'even split of the deal amount over the calendar years of its term (no payment terms)') AS rule,
    f.amount_usd_bn AS deal_amount_usd_bn,
    f.start_period,
    f.end_period,
    CASE WHEN t.deal_id IS NULL THEN f.source_url ELSE t.source_url END AS source_url,
    CASE WHEN t.deal_id IS NULL THEN f.source_document ELSE t.source_document END AS source_document,
    CASE WHEN t.deal_id IS NULL THEN f.source_date ELSE t.source_date END AS source_date
FROM mart_deals d
JOIN core.deal_flows f ON f.deal_id = d.deal_id AND f.kind = 'purchase_commitment'
LEFT JOIN raw.deal_terms t
       ON t.deal_id = d.deal_id AND t.term_type = 'payment_schedule' AND list_contains(d.source_ids, t.loaded_from)
ORDER BY d.calendar_year NULLS LAST, d.counterparty, d.deal_id, try_cast(split_part(t.loaded_from, ':', 2) AS INTEGER);
