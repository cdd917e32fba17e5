-- Asset check on mart.cost_per_gw (no rows = pass): a flagged figure (the seed article's
-- mistranslated 5-6 bn per GW) is never used: it carries no share of the reference and is not
-- part of it; the reference range is one that a non-flagged estimate states; and there is a
-- reference at all (otherwise every share would be missing).
SELECT row_kind, item, usd_bn_per_gw, source_ids, 'flagged figure used' AS problem
FROM mart.cost_per_gw
WHERE flagged AND (in_reference OR of_ref_low_share IS NOT NULL OR of_ref_mid_share IS NOT NULL OR of_ref_high_share IS NOT NULL)
UNION ALL
SELECT NULL, NULL, NULL, NULL, 'no reference all-in cost per GW' AS problem
WHERE NOT EXISTS (SELECT 1 FROM mart.cost_per_gw WHERE ref_mid_usd_bn_per_gw IS NOT NULL)
UNION ALL
SELECT DISTINCT NULL, NULL, ref_mid_usd_bn_per_gw, NULL, 'reference range stated by no unflagged estimate' AS problem
FROM mart.cost_per_gw r
WHERE ref_mid_usd_bn_per_gw IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM mart.cost_per_gw e
      WHERE e.row_kind = 'estimate' AND NOT e.flagged AND e.in_reference
        AND e.low_usd_bn_per_gw = r.ref_low_usd_bn_per_gw AND e.high_usd_bn_per_gw = r.ref_high_usd_bn_per_gw)
ORDER BY problem;
