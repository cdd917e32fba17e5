-- Add new candidates, refresh the filing details of known ones, never delete one, and set every
-- candidate's status from the review file (`reviews`: accession_number, status, note); a
-- candidate without a review row is 'new'. first_seen_at is written once, on insert.
MERGE INTO raw.deal_candidates AS t
USING candidates AS b
ON t.cik = b.cik AND t.accession_number = b.accession_number
WHEN MATCHED AND (
        t.ticker, t.company, t.form, t.filing_date, t.items, t.document_url)
    IS DISTINCT FROM (
        b.ticker, b.company, b.form, b.filing_date, b.items, b.document_url)
  THEN UPDATE SET ticker = b.ticker, company = b.company, form = b.form,
                  filing_date = b.filing_date, items = b.items, document_url = b.document_url
WHEN NOT MATCHED THEN INSERT BY NAME;

UPDATE raw.deal_candidates AS t
SET status = r.status, review_note = r.note
FROM (
    SELECT c.cik, c.accession_number, coalesce(v.status, 'new') AS status, v.note
    FROM raw.deal_candidates AS c
    LEFT JOIN reviews AS v USING (accession_number)
) AS r
WHERE t.cik = r.cik AND t.accession_number = r.accession_number
  AND (t.status, t.review_note) IS DISTINCT FROM (r.status, r.note);
