-- Every stored filing, newest first (the deal-candidate asset filters the 8-Ks with Item 1.01).
SELECT cik, ticker, company, form, accession_number, filing_date, report_date, items,
       primary_document, document_url
FROM raw.sec_filings
ORDER BY filing_date DESC, accession_number DESC;
