-- TEMP macros for the registry's period syntax (data/registry/README.md), run before the marts
-- that need them (assets/marts/builder.py `prelude`); they live only on that connection.
--
--   'YYYY'  'YYYY-H1'  'YYYY-Q3'  'YYYY-MM'  'YYYY-MM-DD'  and intervals 'start/end' of any two.
--   'FYYYYY' (a company's fiscal year): period_start/period_end give NULL, because the registry
--   holds no fiscal-year end month as data; period_year gives YYYY, the year the fiscal year is
--   named after (the year it ends in).
--
-- period_start(p) / period_end(p): first and last calendar day covered (DATE); NULL if unknown.
-- period_months(p): whole calendar months covered (0 for a single day: a point in time).
-- period_year(p): the calendar year of a period that lies inside one year, else NULL.

CREATE OR REPLACE TEMP MACRO _period_first_day(s) AS
    CASE
        WHEN regexp_full_match(s, '\d{4}') THEN make_date(try_cast(s AS INTEGER), 1, 1)
        WHEN regexp_full_match(s, '\d{4}-H[12]') THEN make_date(try_cast(left(s, 4) AS INTEGER), CASE right(s, 1) WHEN '1' THEN 1 ELSE 7 END, 1)
        WHEN regexp_full_match(s, '\d{4}-Q[1-4]') THEN make_date(try_cast(left(s, 4) AS INTEGER), (try_cast(right(s, 1) AS INTEGER) - 1) * 3 + 1, 1)
        WHEN regexp_full_match(s, '\d{4}-\d{2}') THEN make_date(try_cast(left(s, 4) AS INTEGER), try_cast(right(s, 2) AS INTEGER), 1)
        WHEN regexp_full_match(s, '\d{4}-\d{2}-\d{2}') THEN try_cast(s AS DATE)
    END;

CREATE OR REPLACE TEMP MACRO _period_last_day(s) AS
    CASE
        WHEN regexp_full_match(s, '\d{4}') THEN make_date(try_cast(s AS INTEGER), 12, 31)
        WHEN regexp_full_match(s, '\d{4}-H[12]') THEN make_date(try_cast(left(s, 4) AS INTEGER), CASE right(s, 1) WHEN '1' THEN 6 ELSE 12 END, CASE right(s, 1) WHEN '1' THEN 30 ELSE 31 END)
        WHEN regexp_full_match(s, '\d{4}-Q[1-4]') THEN last_day(make_date(try_cast(left(s, 4) AS INTEGER), try_cast(right(s, 1) AS INTEGER) * 3, 1))
        WHEN regexp_full_match(s, '\d{4}-\d{2}') THEN last_day(make_date(try_cast(left(s, 4) AS INTEGER), try_cast(right(s, 2) AS INTEGER), 1))
        WHEN regexp_full_match(s, '\d{4}-\d{2}-\d{2}') THEN try_cast(s AS DATE)
    END;

CREATE OR REPLACE TEMP MACRO period_start(p) AS _period_first_day(string_split(p, '/')[1]);

CREATE OR REPLACE TEMP MACRO period_end(p) AS _period_last_day(string_split(p, '/')[-1]);

CREATE OR REPLACE TEMP MACRO period_months(p) AS
    CASE WHEN regexp_full_match(string_split(p, '/')[-1], '\d{4}-\d{2}-\d{2}') AND NOT contains(p, '/') THEN 0
         ELSE datediff('month', period_start(p), period_end(p) + INTERVAL 1 DAY)
    END;

CREATE OR REPLACE TEMP MACRO period_year(p) AS
    CASE
        WHEN regexp_full_match(p, 'FY\d{4}') THEN try_cast(right(p, 4) AS INTEGER)
        WHEN year(period_start(p)) = year(period_end(p)) THEN year(period_start(p))
    END;
