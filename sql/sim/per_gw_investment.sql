-- Money an investor promises OpenAI per GW deployed (raw.deal_terms per_gw_investment: the money
-- per GW and the ceiling) with the investor and overlap group of its equity flow (core.deal_flows).
SELECT
    t.deal_id,
    f.payer AS investor,
    f.overlap_group,
    t.item,
    t.value,
    t.unit,
    t.basis,
    t.rule,
    t.source_url,
    t.source_document,
    t.source_date
FROM raw.deal_terms t
JOIN core.deal_flows f USING (deal_id)
WHERE t.term_type = 'per_gw_investment' AND f.kind = 'equity' AND f.payee = 'OpenAI'
ORDER BY try_cast(split_part(t.loaded_from, ':', 2) AS INTEGER);
