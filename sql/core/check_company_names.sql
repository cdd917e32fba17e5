-- Asset check: names or aliases that point to more than one company (no rows = pass).
WITH names AS (
    SELECT company AS name, company FROM core.companies
    UNION ALL
    SELECT unnest(aliases) AS name, company FROM core.companies
)
SELECT name, string_agg(company, ', ' ORDER BY company) AS companies
FROM names
GROUP BY name
HAVING count(DISTINCT company) > 1
ORDER BY name;
