-- GW that OpenAI's compute deals bring online: the deployment_window terms in GW (raw.deal_terms)
-- of the purchase commitments OpenAI pays (core.deal_flows), counted rows only (an overlapping
-- deal's GW are its group's counted deal's GW). supplier is the canonical seller: it ties the
-- per-GW vendor financing and the warrant's GW conditions to the supplier's own deal.
-- Registry file order, deal by deal.
SELECT
    f.deal_id,
    f.payee AS supplier,
    t.item,
    t.period,
    t.value AS gw,
    t.basis,
    t.source_url,
    t.source_document,
    t.source_date
FROM core.deal_flows f
JOIN raw.deal_terms t USING (deal_id)
WHERE f.payer = 'OpenAI' AND f.kind = 'purchase_commitment' AND f.counts_in_totals
  AND t.term_type = 'deployment_window' AND t.unit = 'GW'
ORDER BY min(try_cast(split_part(t.loaded_from, ':', 2) AS INTEGER)) OVER (PARTITION BY f.deal_id),
         try_cast(split_part(t.loaded_from, ':', 2) AS INTEGER);
