-- Row counts of the SEC tables, for the assets' metadata.
SELECT
    (SELECT count(*) FROM raw.sec_company_facts) AS sec_company_facts,
    (SELECT count(*) FROM raw.sec_filings) AS sec_filings,
    (SELECT count(*) FROM raw.deal_candidates) AS deal_candidates;
