-- The strongest market reactions to the announcements: the 12 ticker-sessions with the largest
-- absolute day-0 return over SPY (deals announced together share one reaction: event_deal_ids).
SELECT
    ticker,
    company,
    event_date,
    array_to_string(event_deal_ids, ', ') AS deals,
    return_day0,
    abnormal_return_day0_spy,
    return_cum_0_2,
    return_cum_0_4,
    market_value_added_usd_bn
FROM (
    SELECT DISTINCT ON (ticker, event_date) *
    FROM mart.deal_reactions
    WHERE price_status = 'ok' AND abnormal_return_day0_spy IS NOT NULL
    ORDER BY ticker, event_date, deal_id
)
ORDER BY abs(abnormal_return_day0_spy) DESC, ticker, event_date
LIMIT 12;
