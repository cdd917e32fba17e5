-- mart.vendor_financing: one row per supplier and customer, where the customer has at least one
-- purchase commitment to the supplier in core.deal_flows (so the supplier really is the customer's
-- vendor): the money or value the supplier puts into the customer against what the customer has
-- committed to buy from the supplier.
--
--   financing    flows supplier -> customer of kind equity (amount_usd_bn), warrant (today's
--                value: intrinsic value at the issuer's latest close from mart.warrant_tranches,
--                summed over the rows that make up the warrant once, WHERE counts_in_totals) and
--                backstop (amount_usd_bn)
--   commitments  flows customer -> supplier of kind purchase_commitment (amount_usd_bn)
--
-- Overlapping deals are never summed: only flows WHERE core.deal_flows.counts_in_totals enter the
-- sums (one row per overlap group, never an umbrella programme); the others are listed in
-- not_summed_deal_ids. A counted flow without a value (undisclosed amount, warrant of a private
-- issuer) is listed in undisclosed_deal_ids and makes its side incomplete: the side's sum is then
-- the sum of the known values (null if none is known; 0 means no counted flow). round_trip_ratio =
-- financing_usd_bn / commitments_usd_bn, only when both sides are complete and commitments are
-- positive (an incomplete side would make the ratio a bound of unknown direction).
--
-- Financing between two companies without a purchase commitment between them (NVIDIA -> Intel,
-- SoftBank -> OpenAI) is not vendor financing and stays in core.deal_flows / mart.capital_cycles.
CREATE OR REPLACE TABLE mart.vendor_financing AS
WITH warrant_values AS (
    SELECT
        deal_id,
        sum(intrinsic_value_usd_bn) FILTER (counts_in_totals) AS value_usd_bn,
        count(*) FILTER (counts_in_totals) > 0
            AND count(*) FILTER (counts_in_totals) = count(intrinsic_value_usd_bn) FILTER (counts_in_totals) AS complete,
        max(latest_close_date) AS value_date
    FROM mart.warrant_tranches
    GROUP BY deal_id
),
flows AS (  -- every flow of a supplier-customer pair, oriented as (supplier, customer)
    SELECT
        CASE WHEN f.kind = 'purchase_commitment' THEN f.payee ELSE f.payer END AS supplier,
        CASE WHEN f.kind = 'purchase_commitment' THEN f.payer ELSE f.payee END AS customer,
        CASE WHEN f.kind = 'purchase_commitment' THEN 'commitment' ELSE 'financing' END AS side,
        f.deal_id,
        f.kind,
        CASE WHEN f.kind = 'warrant' THEN w.value_usd_bn ELSE f.amount_usd_bn END AS value_usd_bn,
        CASE WHEN f.kind = 'warrant' THEN coalesce(w.complete, false) ELSE f.amount_usd_bn IS NOT NULL END AS has_value,
        w.value_date AS warrant_value_date,
        f.counts_in_totals,
        f.source_url
    FROM core.deal_flows f
    LEFT JOIN warrant_values w ON w.deal_id = f.deal_id AND f.kind = 'warrant'
    WHERE f.kind IN ('purchase_commitment', 'equity', 'warrant', 'backstop')
),
pairs AS (
    SELECT DISTINCT supplier, customer FROM flows WHERE side = 'commitment'
),
summed AS (
    SELECT
        supplier,
        customer,
        -- a sum of known values; 0 without any counted flow of its kind, null when none has a value
        CASE WHEN count(*) FILTER (counts_in_totals AND kind = 'equity') = 0 THEN 0
             ELSE sum(value_usd_bn) FILTER (counts_in_totals AND kind = 'equity') END AS equity_usd_bn,
        CASE WHEN count(*) FILTER (counts_in_totals AND kind = 'warrant') = 0 THEN 0
             ELSE sum(value_usd_bn) FILTER (counts_in_totals AND kind = 'warrant') END AS warrant_value_usd_bn,
        max(warrant_value_date) FILTER (counts_in_totals AND kind = 'warrant') AS warrant_value_date,
        CASE WHEN count(*) FILTER (counts_in_totals AND kind = 'backstop') = 0 THEN 0
             ELSE sum(value_usd_bn) FILTER (counts_in_totals AND kind = 'backstop') END AS backstop_usd_bn,
        CASE WHEN count(*) FILTER (counts_in_totals AND side = 'financing') = 0 THEN 0
             ELSE sum(value_usd_bn) FILTER (counts_in_totals AND side = 'financing') END AS financing_usd_bn,
        sum(value_usd_bn) FILTER (counts_in_totals AND side = 'commitment') AS commitments_usd_bn,
        coalesce(bool_and(has_value) FILTER (counts_in_totals AND side = 'financing'), true) AS financing_complete,
        coalesce(bool_and(has_value) FILTER (counts_in_totals AND side = 'commitment'), false) AS commitments_complete,
        coalesce(list(deal_id ORDER BY deal_id) FILTER (counts_in_totals AND side = 'financing'), []::VARCHAR[]) AS financing_deal_ids,
        coalesce(list(deal_id ORDER BY deal_id) FILTER (counts_in_totals AND side = 'commitment'), []::VARCHAR[]) AS commitment_deal_ids,
        coalesce(list(deal_id ORDER BY deal_id) FILTER (counts_in_totals AND NOT has_value), []::VARCHAR[]) AS undisclosed_deal_ids,
        coalesce(list(deal_id ORDER BY deal_id) FILTER (NOT counts_in_totals), []::VARCHAR[]) AS not_summed_deal_ids,
        list(DISTINCT source_url ORDER BY source_url) FILTER (source_url IS NOT NULL) AS source_urls
    FROM flows
    JOIN pairs USING (supplier, customer)
    GROUP BY supplier, customer
)
SELECT
    supplier,
    customer,
    equity_usd_bn,
    warrant_value_usd_bn,
    warrant_value_date,
    backstop_usd_bn,
    financing_usd_bn,
    commitments_usd_bn,
    CASE WHEN financing_complete AND commitments_complete AND commitments_usd_bn > 0
         THEN financing_usd_bn / commitments_usd_bn END AS round_trip_ratio,
    financing_complete,
    commitments_complete,
    financing_deal_ids,
    commitment_deal_ids,
    undisclosed_deal_ids,
    not_summed_deal_ids,
    source_urls
FROM summed
ORDER BY financing_usd_bn DESC NULLS LAST, commitments_usd_bn DESC NULLS LAST, supplier, customer;
