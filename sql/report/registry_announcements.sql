-- Announcement markers from the registry alone (for core/prices, which runs before the marts):
-- one row per listed party and announcement date, with the deals announced that day. The chart
-- places each marker on the first trading day on or after event_date.
SELECT c.ticker, d.announced_on AS event_date, list(DISTINCT d.deal_id ORDER BY d.deal_id) AS deal_ids
FROM raw.deals AS d
JOIN raw.companies AS c
  ON d.buyer = c.company OR d.seller = c.company
  OR list_contains(string_split(coalesce(c.aliases, ''), '|'), d.buyer)
  OR list_contains(string_split(coalesce(c.aliases, ''), '|'), d.seller)
WHERE c.ticker IS NOT NULL
GROUP BY c.ticker, d.announced_on
ORDER BY c.ticker, event_date;
