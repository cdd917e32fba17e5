-- SEC filings: which source served them (snapshot or live), how many, and the latest filing date.
SELECT source, count(*) AS filings, count(DISTINCT ticker) AS companies, max(filing_date) AS last_filing_date
FROM raw.sec_filings
GROUP BY source
ORDER BY source;
