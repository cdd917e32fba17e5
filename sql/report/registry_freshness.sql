-- Data as of, for the curated registry: per registry file, the rows loaded and the first and
-- latest source dates of its figures (the files' own dates, not the machine's file times).
SELECT file, rows, first_source_date, last_source_date FROM (
    SELECT 'deals.csv' AS file, count(*) AS rows, min(source_date) AS first_source_date, max(source_date) AS last_source_date FROM raw.deals
    UNION ALL
    SELECT 'deal_terms.csv', count(*), min(source_date), max(source_date) FROM raw.deal_terms
    UNION ALL
    SELECT 'companies.csv', count(*), NULL::DATE, max(shares_outstanding_date) FROM raw.companies
    UNION ALL
    SELECT 'metrics.csv', count(*), min(source_date), max(source_date) FROM raw.openai_metrics
    UNION ALL
    SELECT 'estimates.csv', count(*), min(source_date), max(source_date) FROM raw.reference_estimates
)
ORDER BY file;
