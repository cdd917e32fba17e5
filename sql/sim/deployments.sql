-- GW of the deals OpenAI pays as its own purchases (payment_model own_capex): their
-- deployment_window terms in GW (raw.deal_terms), counted purchase commitments of OpenAI only.
-- supplier is the canonical seller: it picks the vendor's cost per GW and ties the per-GW vendor
-- financing and the warrant's GW conditions to the supplier's own deal. delivery is the payment
-- model's term (a window without a stated end runs to its end). Registry file order.
SELECT
    f.deal_id,
    f.payee AS supplier,
    t.item,
    t.period,
    t.value AS gw,
    m.period AS delivery,
    t.basis,
    t.source_url,
    t.source_document,
    t.source_date
FROM core.deal_flows f
JOIN raw.deal_terms t USING (deal_id)
JOIN raw.deal_terms m ON m.deal_id = f.deal_id AND m.term_type = 'payment_model' AND m.item = 'own_capex'
WHERE f.payer = 'OpenAI' AND f.kind = 'purchase_commitment' AND f.counts_in_totals
  AND t.term_type = 'deployment_window' AND t.unit = 'GW'
ORDER BY min(try_cast(split_part(t.loaded_from, ':', 2) AS INTEGER)) OVER (PARTITION BY f.deal_id),
         try_cast(split_part(t.loaded_from, ':', 2) AS INTEGER);
