-- mart.vendor_financing: one row per supplier and customer, where the customer has at least one
-- purchase commitment to the supplier in core.deal_flows (so the supplier really is the customer's
-- vendor): the money the supplier puts into the customer against the money the customer has
-- committed to pay the supplier.
--
-- round_trip_ratio (the ONE definition, shared with the simulation's supplier-financed share):
--   money from the supplier into the customer
--     = equity invested (counted equity flows supplier -> customer, amount_usd_bn)
--     + per-GW investment received (raw.deal_terms per_gw_investment of a deal that counts in
--       totals x GW delivered; the registry records no delivered GW yet, so 0 — the simulation
--       applies the per-GW rate to simulated GW)
--     + warrant value vested (mart.warrant_tranches vested_value_usd_bn: conditions met on the
--       latest data; AMD -> OpenAI 0 until the first GW is delivered)
--   divided by money from the customer to the same supplier
--     = its counted purchase commitments (amount_usd_bn),
--   over the same period: here every deal announced up to the registry's date, at its full amount
--   (the simulation: both sides summed over the simulated months).
-- Unvested warrant value is shown apart, never in the ratio: warrant_unvested_intrinsic_usd_bn (as if
-- vested at today's close) and warrant_expected_value_usd_bn, the simulation's discounted expected
-- value (join point: sim.outcomes, outcome 'warrant_value_pv_expected', scenario 'base',
-- written by the simulation after this mart, so the previous simulation run's value; null until
-- the simulation writes it). Backstops are shown (backstop_usd_bn) but are not money paid in.
--
-- Overlapping deals are never summed: only flows WHERE core.deal_flows.counts_in_totals enter the
-- sums (one row per overlap group, never an umbrella programme); the others are listed in
-- not_summed_deal_ids. A counted flow without a value (undisclosed amount, warrant of a private
-- issuer) is listed in undisclosed_deal_ids and makes its side incomplete: the side's sum is then
-- the sum of the known values (null if none is known; 0 means no counted flow). round_trip_ratio
-- only when both sides are complete and commitments are positive.
--
-- Financing between two companies without a purchase commitment between them (NVIDIA -> Intel,
-- SoftBank -> OpenAI) is not vendor financing and stays in core.deal_flows / mart.capital_cycles.
CREATE OR REPLACE TABLE mart.vendor_financing AS
WITH warrant_values AS (
    SELECT
        deal_id,
        sum(vested_value_usd_bn) FILTER (counts_in_totals) AS vested_usd_bn,
        sum(unvested_intrinsic_value_usd_bn) FILTER (counts_in_totals) AS unvested_usd_bn,
        count(*) FILTER (counts_in_totals) > 0
            AND count(*) FILTER (counts_in_totals) = count(vested_value_usd_bn) FILTER (counts_in_totals) AS complete,
        max(latest_close_date) AS value_date
    FROM mart.warrant_tranches
    GROUP BY deal_id
),
per_gw AS (  -- a supplier's investment per GW deployed, times the GW delivered (none recorded: 0)
    SELECT
        f.payer AS supplier,
        f.payee AS customer,
        sum(t.value * coalesce(d.gw, 0)) AS received_usd_bn,
        list(DISTINCT t.deal_id ORDER BY t.deal_id) AS deal_ids
    FROM raw.deal_terms t
    JOIN core.deal_flows f USING (deal_id)
    LEFT JOIN (
        SELECT f2.payer AS customer, f2.payee AS supplier, sum(t2.value) AS gw
        FROM raw.deal_terms t2
        JOIN core.deal_flows f2 USING (deal_id)
        WHERE t2.term_type = 'deployment_window' AND t2.item = 'delivered_gw' AND t2.unit = 'GW' AND f2.kind = 'purchase_commitment'
        GROUP BY ALL
    ) d ON d.customer = f.payee AND d.supplier = f.payer
    WHERE t.term_type = 'per_gw_investment' AND t.unit = 'USD bn per GW'
      AND f.counts_in_totals  -- NVIDIA's 10 bn per GW rests on the LOI, whose money is in the 30 bn equity
    GROUP BY f.payer, f.payee
),
sim_warrant_value AS (  -- join point with the simulation (see the header)
    SELECT value AS expected_usd_bn
    FROM sim.outcomes
    WHERE scenario = 'base' AND outcome = 'warrant_value_pv_expected'
    QUALIFY row_number() OVER (ORDER BY month DESC NULLS LAST) = 1
),
flows AS (  -- every flow of a supplier-customer pair, oriented as (supplier, customer)
    SELECT
        CASE WHEN f.kind = 'purchase_commitment' THEN f.payee ELSE f.payer END AS supplier,
        CASE WHEN f.kind = 'purchase_commitment' THEN f.payer ELSE f.payee END AS customer,
        CASE WHEN f.kind = 'purchase_commitment' THEN 'commitment' WHEN f.kind = 'backstop' THEN 'backstop' ELSE 'financing' END AS side,
        f.deal_id,
        f.kind,
        CASE WHEN f.kind = 'warrant' THEN w.vested_usd_bn ELSE f.amount_usd_bn END AS value_usd_bn,
        CASE WHEN f.kind = 'warrant' THEN w.unvested_usd_bn END AS unvested_usd_bn,
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
             ELSE sum(value_usd_bn) FILTER (counts_in_totals AND kind = 'warrant') END AS warrant_vested_usd_bn,
        CASE WHEN count(*) FILTER (counts_in_totals AND kind = 'warrant') = 0 THEN 0
             ELSE sum(unvested_usd_bn) FILTER (counts_in_totals AND kind = 'warrant') END AS warrant_unvested_intrinsic_usd_bn,
        max(warrant_value_date) FILTER (counts_in_totals AND kind = 'warrant') AS warrant_value_date,
        count(*) FILTER (counts_in_totals AND kind = 'warrant') > 0 AS has_warrant,
        CASE WHEN count(*) FILTER (counts_in_totals AND kind = 'backstop') = 0 THEN 0
             ELSE sum(value_usd_bn) FILTER (counts_in_totals AND kind = 'backstop') END AS backstop_usd_bn,
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
),
totals AS (
    SELECT
        s.*,
        coalesce(g.received_usd_bn, 0) AS per_gw_investment_received_usd_bn,
        coalesce(g.deal_ids, []::VARCHAR[]) AS per_gw_deal_ids,
        s.equity_usd_bn + coalesce(g.received_usd_bn, 0) + s.warrant_vested_usd_bn AS financing_usd_bn
    FROM summed s
    LEFT JOIN per_gw g USING (supplier, customer)
)
SELECT
    supplier,
    customer,
    round(equity_usd_bn, 2) AS equity_usd_bn,
    round(per_gw_investment_received_usd_bn, 2) AS per_gw_investment_received_usd_bn,
    round(warrant_vested_usd_bn, 2) AS warrant_vested_usd_bn,
    round(warrant_unvested_intrinsic_usd_bn, 2) AS warrant_unvested_intrinsic_usd_bn,
    CASE WHEN EXISTS (SELECT 1 FROM mart.warrant_tranches w  -- the warrants the simulation models: OpenAI's, with GW and price conditions
                      WHERE w.holder = 'OpenAI' AND w.holder = totals.customer AND w.issuer = totals.supplier AND w.counts_in_totals
                        AND w.deployment_condition_gw IS NOT NULL AND w.price_condition_usd IS NOT NULL)
         THEN round((SELECT expected_usd_bn FROM sim_warrant_value), 2) END AS warrant_expected_value_usd_bn,
    warrant_value_date,
    round(backstop_usd_bn, 2) AS backstop_usd_bn,
    round(financing_usd_bn, 2) AS financing_usd_bn,
    round(commitments_usd_bn, 2) AS commitments_usd_bn,
    CASE WHEN financing_complete AND commitments_complete AND commitments_usd_bn > 0
         THEN round(financing_usd_bn / commitments_usd_bn, 4) END AS round_trip_ratio,
    financing_complete,
    commitments_complete,
    list_sort(list_distinct(list_concat(financing_deal_ids, per_gw_deal_ids))) AS financing_deal_ids,
    commitment_deal_ids,
    undisclosed_deal_ids,
    not_summed_deal_ids,
    source_urls
FROM totals
ORDER BY financing_usd_bn DESC NULLS LAST, commitments_usd_bn DESC NULLS LAST, supplier, customer;
