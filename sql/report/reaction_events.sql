-- Announcement markers from mart.deal_reactions: one row per ticker and event session (session 0
-- on the listing's own exchange, after weekends, holidays and after-close news), with the deals
-- that share that reaction and the day-0 return. Only rows with returns (returns_status 'ok':
-- approximate dates have no session).
SELECT ticker, event_date, list(DISTINCT deal_id ORDER BY deal_id) AS deal_ids, any_value(return_day0) AS return_day0
FROM mart.deal_reactions
WHERE returns_status = 'ok'
GROUP BY ticker, event_date
ORDER BY ticker, event_date;
