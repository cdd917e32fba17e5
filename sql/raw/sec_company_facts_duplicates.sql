-- Periods stored more than once (must be none: a fact is never counted twice).
SELECT cik, metric, unit, "start", "end", count(*) AS copies
FROM raw.sec_company_facts
GROUP BY ALL
HAVING count(*) > 1
ORDER BY ALL;
