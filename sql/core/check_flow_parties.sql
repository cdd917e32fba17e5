-- Asset check: flows whose kind is unmapped or whose payer or payee is not a row of core.companies
-- (no rows = pass).
SELECT flow_id, deal_id, payer, payee, kind
FROM core.deal_flows
WHERE kind IS NULL
   OR payer IS NULL OR payer NOT IN (SELECT company FROM core.companies)
   OR payee IS NULL OR payee NOT IN (SELECT company FROM core.companies)
ORDER BY deal_id;
