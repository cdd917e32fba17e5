-- The strongest market reactions to the announcements: the 12 ticker-sessions with the largest
-- absolute market-model abnormal return against SPY on session 0 (day-precise announcements with a
-- market model only: approximate dates never enter a ranking; deals announced together share one
-- reaction: event_deal_ids).
SELECT
    ticker,
    company,
    event_date,
    array_to_string(event_deal_ids, ', ') AS deals,
    return_day0,
    ar_day0_spy,
    t_day0_spy,
    significant_day0_spy,
    confounded,
    return_cum_0_2,
    return_cum_0_4,
    market_value_added_usd_bn
FROM (
    SELECT DISTINCT ON (ticker, event_date) *
    FROM mart.deal_reactions
    WHERE returns_status = 'ok' AND market_model_status = 'ok' AND ar_day0_spy IS NOT NULL
    ORDER BY ticker, event_date, deal_id
)
ORDER BY abs(ar_day0_spy) DESC, ticker, event_date
LIMIT 12;
