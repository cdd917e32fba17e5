-- Asset check on mart.cost_per_gw (no rows = pass): no amount, capacity or cost per GW is negative
-- (columns ending _usd_bn, _gw, _usd_bn_per_gw and the shares of the reference).
SELECT row_kind, item, deal_id, amount_usd_bn, capacity_gw, usd_bn_per_gw, of_ref_mid_share
FROM mart.cost_per_gw
WHERE least(*COLUMNS('(_usd_bn|_gw|_share)$')) < 0
ORDER BY row_kind, item, deal_id;
