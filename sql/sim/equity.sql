-- Equity paid into OpenAI (core.deal_flows kind equity, payee OpenAI): one row per payment term
-- (raw.deal_terms payment_schedule) of each such deal, or one row without a term (item NULL) for
-- a deal without payment terms. Every date and every overlap role is kept: the simulation counts
-- only counts_in_totals rows as cash and uses the others' overlap group for the per-GW cap.
-- from_supplier: the investor also sells compute to OpenAI (the payee of a purchase commitment
-- OpenAI pays, as in mart.vendor_financing). Sources are the term's, or the deal's when there is
-- no term.
SELECT
    f.deal_id,
    f.payer AS investor,
    f.overlap_group,
    f.counts_in_totals,
    f.amount_usd_bn AS deal_amount_usd_bn,
    f.amount_basis,
    f.start_period,
    f.announced_on,
    t.item,
    t.period,
    t.value AS term_usd_bn,
    t.basis,
    f.payer IN (SELECT payee FROM core.deal_flows WHERE payer = 'OpenAI' AND kind = 'purchase_commitment') AS from_supplier,
    CASE WHEN t.deal_id IS NULL THEN f.source_url ELSE t.source_url END AS source_url,
    CASE WHEN t.deal_id IS NULL THEN f.source_document ELSE t.source_document END AS source_document,
    CASE WHEN t.deal_id IS NULL THEN f.source_date ELSE t.source_date END AS source_date
FROM core.deal_flows f
LEFT JOIN raw.deal_terms t
       ON t.deal_id = f.deal_id AND t.term_type = 'payment_schedule' AND t.unit = 'USD bn'
WHERE f.kind = 'equity' AND f.payee = 'OpenAI'
ORDER BY t.loaded_from IS NULL, try_cast(split_part(t.loaded_from, ':', 2) AS INTEGER), f.announced_on, f.deal_id;
