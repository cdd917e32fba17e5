-- core.companies for the asset's metadata: every company with its ticker and how many spellings it has.
SELECT company, ticker, exchange, listed, len(aliases) AS aliases, sec_cik
FROM core.companies
ORDER BY listed DESC, company;
