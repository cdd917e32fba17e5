-- The event study, ranked by the abnormal market value added on session 0 (USD bn, share count in
-- force on the event date: SEC dei facts, else companies.csv), then by the abnormal return.
-- Abnormal returns come from an OLS market model against SPY estimated over sessions -250..-30;
-- t from the estimation residuals (prediction-error corrected); confounded = an earnings filing or
-- another deal of the party within sessions -1..+2. Approximate dates have no returns and never
-- appear here. Deals announced together share one reaction (event_deal_ids): never add them up.
SELECT
    deal_id,
    ticker,
    event_date,
    return_day0,
    ar_day0_spy,
    t_day0_spy,
    significant_day0_spy AS significant,
    car_0_2_spy,
    t_0_2_spy,
    confounded,
    abnormal_value_added_spy_usd_bn AS abnormal_value_added_usd_bn,
    shares_basis
FROM mart.deal_reactions
WHERE returns_status = 'ok' AND market_model_status = 'ok'
ORDER BY abnormal_value_added_spy_usd_bn DESC NULLS LAST, ar_day0_spy DESC, deal_id, ticker
LIMIT 15;
