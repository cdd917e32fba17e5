-- Every candidate, those waiting for a person (status 'new') first, newest first.
SELECT status, ticker, filing_date, form, accession_number, items, document_url
FROM raw.deal_candidates
ORDER BY (status = 'new') DESC, filing_date DESC, accession_number DESC;
