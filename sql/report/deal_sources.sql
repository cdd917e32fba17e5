-- The sources of every deal in the registry: who, what (the registry's terms), and the page or
-- named document it rests on, with its date and confidence.
SELECT
    deal_id,
    announced_on,
    buyer,
    seller,
    deal_type,
    amount_usd_bn,
    amount_basis,
    terms,
    source_publisher,
    source_url,
    source_document,
    source_date,
    confidence
FROM raw.deals
ORDER BY announced_on, deal_id;
