-- Market reactions to the announcements, ranked by the market value added on the event day (USD bn;
-- only where shares outstanding are known, so NVIDIA only for now), then by the day-0 return.
-- Returns are close-to-close fractions; abnormal = return minus SPY's / QQQ's return that day.
-- Deals announced together share one reaction (event_deal_ids): never add their value added up.
SELECT
    deal_id,
    ticker,
    event_date,
    round(return_day0, 4) AS return_day0,
    round(return_cum_0_2, 4) AS return_cum_0_2,
    round(abnormal_return_day0_spy, 4) AS abnormal_spy,
    round(abnormal_return_day0_qqq, 4) AS abnormal_qqq,
    round(market_value_added_usd_bn, 1) AS value_added_usd_bn,
    amount_usd_bn,
    round(value_added_per_usd_announced, 2) AS per_usd_announced
FROM mart.deal_reactions
WHERE price_status = 'ok'
ORDER BY market_value_added_usd_bn DESC NULLS LAST, return_day0 DESC, deal_id, ticker
LIMIT 15;
