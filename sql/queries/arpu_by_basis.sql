-- What is a ChatGPT user worth per month? The app tracker's printed ARPU (basis not stated) next
-- to revenue / users computed from reported revenue and user counts, per user basis (WAU or MAU).
SELECT
    period,
    arpu_kind,
    round(arpu_usd, 3) AS arpu_usd,
    period_basis,
    user_basis,
    revenue_usd_bn,
    round(users_m) AS users_m,
    array_to_string(source_ids, ', ') AS source_ids
FROM mart.arpu
ORDER BY period_start, period, arpu_kind, user_basis, revenue_usd_bn;
