-- How each deal's money moves in the simulation: every deal the totals count with OpenAI as a
-- party (core.deal_flows), and any other deal the registry gives a payment model (the NVIDIA
-- letter of intent's per-GW money), with its raw.deal_terms `payment_model` row (NULL when the
-- registry gives none: the asset check on sim.scenario_inputs then fails). supplier is the
-- canonical counterparty; delivery is the payment model's YYYY-MM/YYYY-MM term.
SELECT
    f.deal_id,
    f.kind,
    f.payer,
    f.payee,
    CASE WHEN f.payer = 'OpenAI' THEN f.payee ELSE f.payer END AS counterparty,
    f.counts_in_totals,
    f.amount_usd_bn,
    f.amount_basis,
    f.announced_on,
    t.item AS payment_model,
    t.period AS delivery,
    t.basis,
    t.rule,
    coalesce(t.source_url, f.source_url) AS source_url,
    coalesce(t.source_document, f.source_document) AS source_document,
    coalesce(t.source_date, f.source_date) AS source_date
FROM core.deal_flows f
LEFT JOIN raw.deal_terms t ON t.deal_id = f.deal_id AND t.term_type = 'payment_model'
WHERE ('OpenAI' IN (f.payer, f.payee) AND f.counts_in_totals) OR t.deal_id IS NOT NULL
ORDER BY try_cast(split_part(t.loaded_from, ':', 2) AS INTEGER) NULLS LAST, f.deal_id;
