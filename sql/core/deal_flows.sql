-- core.deal_flows: one row per flow of money or value announced in raw.deals, between canonical
-- companies (buyer and seller resolved through core.companies names and aliases).
--
-- kind, from deal_type (assets/deals/schemas.py FLOW_KIND holds the same mapping for the
-- registry's rules; a test keeps the two in step):
--   equity_investment                             -> equity
--   chip_supply, cloud_contract, compute_purchase -> purchase_commitment
--   warrant                                       -> warrant
--   loan_guarantee                                -> backstop  (allowed but unused: the
--       NVIDIA-CoreWeave "backstop" is an obligation to buy unsold capacity, a compute_purchase)
--
-- Direction: the money or value goes from payer to payee.
--   equity               the investor (buyer) pays the investee (seller)
--   purchase_commitment  the customer (buyer) pays the supplier (seller)
--   warrant              the issuer (seller) gives the holder (buyer) the value of its shares
--   backstop             the guarantor (seller) stands behind the beneficiary (buyer)
--
-- amount_usd_bn is null when undisclosed. counts_in_totals is false for a row whose money is in
-- another row of its overlap group (overlap_role 'overlaps') and for umbrella programmes
-- ('umbrella'): sum amounts only WHERE counts_in_totals, or the same money is counted twice.
-- announced_on is the first day of its period when announced_precision is month or quarter: place
-- an event on a trading session only WHERE announced_precision = 'day'.
CREATE OR REPLACE TABLE core.deal_flows AS
WITH names AS (
    SELECT company AS name, company FROM core.companies
    UNION ALL
    SELECT unnest(aliases) AS name, company FROM core.companies
),
deals AS (
    SELECT
        *,
        CASE deal_type
            WHEN 'equity_investment' THEN 'equity'
            WHEN 'chip_supply'       THEN 'purchase_commitment'
            WHEN 'cloud_contract'    THEN 'purchase_commitment'
            WHEN 'compute_purchase'  THEN 'purchase_commitment'
            WHEN 'warrant'           THEN 'warrant'
            WHEN 'loan_guarantee'    THEN 'backstop'
        END AS kind
    FROM raw.deals
)
SELECT
    d.deal_id || ':' || coalesce(d.kind, 'unmapped') AS flow_id,
    d.deal_id,
    CASE WHEN d.kind IN ('warrant', 'backstop') THEN s.company ELSE b.company END AS payer,
    CASE WHEN d.kind IN ('warrant', 'backstop') THEN b.company ELSE s.company END AS payee,
    d.kind,
    d.amount_usd_bn,
    d.amount_basis,
    d.capacity_gw,
    d.overlap_group,
    d.overlap_role,
    coalesce(d.overlap_role, 'counted') = 'counted' AS counts_in_totals,
    d.confidence,
    d.announced_on,
    d.announced_precision,
    d.start_period,
    d.end_period,
    d.source_url,
    d.source_document,
    d.source_date
FROM deals d
LEFT JOIN names b ON b.name = d.buyer
LEFT JOIN names s ON s.name = d.seller
ORDER BY d.announced_on, d.deal_id;
