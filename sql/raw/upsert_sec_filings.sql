-- Replace the filings of the companies in $ciks (those fetched in this run) with `batch`.
-- Unchanged rows keep their fetched_at; filings no longer in those companies' recent list go.
DELETE FROM raw.sec_filings AS t
WHERE t.cik IN (SELECT unnest($ciks::VARCHAR[]))
  AND NOT EXISTS (SELECT 1 FROM batch b WHERE b.cik = t.cik AND b.accession_number = t.accession_number);

MERGE INTO raw.sec_filings AS t
USING batch AS b
ON t.cik = b.cik AND t.accession_number = b.accession_number
WHEN MATCHED AND (
        t.ticker, t.company, t.form, t.filing_date, t.report_date, t.items, t.primary_document,
        t.document_url, t.source)
    IS DISTINCT FROM (
        b.ticker, b.company, b.form, b.filing_date, b.report_date, b.items, b.primary_document,
        b.document_url, b.source)
  THEN UPDATE SET *
WHEN NOT MATCHED THEN INSERT BY NAME;
