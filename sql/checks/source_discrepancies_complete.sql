-- Asset check on mart.source_discrepancies (no rows = pass): every row names both values and both
-- sources, the two sides are different sources, and the relative gap is computed.
SELECT discrepancy_id, a_value, b_value, a_source_ids, b_source_ids, relative_gap_ratio
FROM mart.source_discrepancies
WHERE a_value IS NULL OR b_value IS NULL
   OR coalesce(len(a_source_ids), 0) = 0 OR coalesce(len(b_source_ids), 0) = 0
   OR coalesce(len(a_sources), 0) = 0 OR coalesce(len(b_sources), 0) = 0
   OR a_source_ids = b_source_ids
   OR relative_gap_ratio IS NULL
ORDER BY discrepancy_id;
