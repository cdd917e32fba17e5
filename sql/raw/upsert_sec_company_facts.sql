-- Replace the facts of the companies in $ciks (those fetched in this run) with `batch`.
-- Unchanged rows are left alone (fetched_at included), so a rerun with the same data changes
-- nothing; periods the source no longer reports for those companies are removed.
DELETE FROM raw.sec_company_facts AS t
WHERE t.cik IN (SELECT unnest($ciks::VARCHAR[]))
  AND NOT EXISTS (
      SELECT 1 FROM batch b
      WHERE b.cik = t.cik AND b.metric = t.metric AND b.unit = t.unit
        AND b."start" IS NOT DISTINCT FROM t."start" AND b."end" = t."end");

MERGE INTO raw.sec_company_facts AS t
USING batch AS b
ON t.cik = b.cik AND t.metric = b.metric AND t.unit = b.unit
   AND t."start" IS NOT DISTINCT FROM b."start" AND t."end" = b."end"
WHEN MATCHED AND (
        t.ticker, t.taxonomy, t.concept, t.val, t.form, t.fy, t.fp, t.filed, t.accn, t.frame,
        t.first_filed, t.first_accn, t.first_form, t.first_fy, t.first_fp, t.n_reports,
        t.values_differ, t.source)
    IS DISTINCT FROM (
        b.ticker, b.taxonomy, b.concept, b.val, b.form, b.fy, b.fp, b.filed, b.accn, b.frame,
        b.first_filed, b.first_accn, b.first_form, b.first_fy, b.first_fp, b.n_reports,
        b.values_differ, b.source)
  THEN UPDATE SET *
WHEN NOT MATCHED THEN INSERT BY NAME;
