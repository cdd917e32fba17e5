-- core.companies: one row per party of the deals (listed companies, private companies, consortium
-- labels and vehicles), from raw.companies, with its other spellings as a list. Every buyer and
-- seller in raw.deals is the company name or one of its aliases (exact match; validated on load).
CREATE OR REPLACE TABLE core.companies AS
SELECT
    company,
    CASE WHEN aliases IS NULL THEN []::VARCHAR[]
         ELSE list_transform(string_split(aliases, '|'), lambda a: trim(a))
    END AS aliases,
    ticker,
    exchange,
    currency,
    sec_cik,
    listed,
    shares_outstanding_m,
    shares_outstanding_date,
    shares_source_url,
    note
FROM raw.companies
ORDER BY company;
