-- mart.deal_reactions: one row per deal announcement (deal_id of raw.deals) and listed party with
-- prices (a buyer or seller of core.deal_flows whose core.companies ticker has rows in core.prices):
-- the share-price reaction around the announcement.
--
-- Sessions. The calendar of a ticker is every day on which any ticker of the same currency has a
-- bar in core.prices (USD: the US tickers and the SPY/QQQ benchmarks; JPY: 9984.T), so a day the
-- market traded but the ticker has no bar shows up as missing instead of being skipped.
-- event_date is the first session on or after announced_on; it is the first session AFTER
-- announced_on when the news came after the US close (event_timing 'after_close') and, for a
-- listing outside the US (exchange not NASDAQ/NYSE), whenever the timing is known
-- (before_open / during_session / after_close): event_timing is relative to the US session, which
-- opens after the Tokyo close of the same day. 'unknown' timing takes the announcement day (its
-- spill-over shows in return_cum_0_2). Weekends and holidays move to the next session.
--
-- Returns are close-to-close simple returns (fractions) on core.prices.adj_close (dividend-
-- adjusted, so a dividend is not a loss): return_day0 = adj_close(event) / adj_close(session
-- before) - 1; return_cum_0_2 / _0_4 = adj_close(session 2 / 4) / adj_close(session before) - 1,
-- i.e. the daily returns of sessions 0..2 / 0..4 compounded. On the issue's check days no
-- dividend goes ex, so the traded close gives the same 4 decimals (AMD 2025-10-06 0.2371, ORCL
-- 2025-09-10 0.3595, NVDA 2025-09-22 0.0393, AVGO 2025-10-13 0.0988). A return is null when the
-- ticker lacks a bar on any session it spans (price_status says why).
-- abnormal_return_day0_spy / _qqq are simple market-adjusted returns, return_day0 minus the
-- benchmark's return_day0 on the same session (no beta, no estimation window); US listings only.
--
-- market_value_added_usd_bn = shares_outstanding_m * prev_close * return_day0 / 1000 (traded close
-- of the session before, so prev_close * shares is the market value before the news); only where
-- core.companies knows the share count (its date is shown: a later count is an approximation) and
-- the listing is in USD (the warehouse holds no FX rates). value_added_per_usd_announced = that /
-- the deal's amount_usd_bn. Several deals announced together share one reaction (event_deal_ids):
-- never add their value added up.
CREATE OR REPLACE TABLE mart.deal_reactions AS
WITH parties AS (
    SELECT deal_id, payer AS company FROM core.deal_flows
    UNION
    SELECT deal_id, payee AS company FROM core.deal_flows
),
priced AS (
    SELECT ticker, arg_max(currency, trade_date) AS currency, min(trade_date) AS first_date, max(trade_date) AS last_date
    FROM core.prices
    GROUP BY ticker
),
calendar AS (
    SELECT currency, trade_date, row_number() OVER (PARTITION BY currency ORDER BY trade_date) AS session_no
    FROM (SELECT DISTINCT currency, trade_date FROM core.prices)
),
events AS (
    SELECT
        d.deal_id,
        c.ticker,
        c.company,
        d.announced_on,
        d.event_timing,
        d.announced_precision <> 'day' AS date_is_approximate,
        pr.currency,
        pr.first_date,
        pr.last_date,
        coalesce(c.exchange IN ('NASDAQ', 'NYSE'), false) AS us_listed,
        c.shares_outstanding_m,
        c.shares_outstanding_date,
        d.amount_usd_bn,
        d.amount_basis,
        d.source_url,
        c.shares_source_url,
        d.announced_on + CASE
            WHEN d.event_timing = 'after_close' THEN 1
            WHEN d.event_timing IN ('before_open', 'during_session') AND NOT coalesce(c.exchange IN ('NASDAQ', 'NYSE'), false) THEN 1
            ELSE 0
        END AS earliest_session_date
    FROM raw.deals d
    JOIN parties p USING (deal_id)
    JOIN core.companies c ON c.company = p.company
    JOIN priced pr ON pr.ticker = c.ticker
),
dated AS (
    SELECT e.*, cal.trade_date AS event_date, cal.session_no AS event_session
    FROM events e
    ASOF LEFT JOIN calendar cal ON cal.currency = e.currency AND cal.trade_date >= e.earliest_session_date
),
windowed AS (  -- sessions -1 .. 4 around the event, the ticker's bar and the benchmarks' bars on each
    SELECT
        d.deal_id,
        d.ticker,
        k.k,
        cal.trade_date,
        p.close,
        p.adj_close,
        spy.adj_close AS spy_adj_close,
        qqq.adj_close AS qqq_adj_close
    FROM dated d
    CROSS JOIN (SELECT unnest(range(-1, 5)) AS k) k
    JOIN calendar cal ON cal.currency = d.currency AND cal.session_no = d.event_session + k.k
    LEFT JOIN core.prices p ON p.ticker = d.ticker AND p.trade_date = cal.trade_date
    LEFT JOIN core.prices spy ON spy.ticker = 'SPY' AND spy.trade_date = cal.trade_date
    LEFT JOIN core.prices qqq ON qqq.ticker = 'QQQ' AND qqq.trade_date = cal.trade_date
),
windows AS (
    SELECT
        deal_id,
        ticker,
        any_value(trade_date) FILTER (k = -1) AS prev_trade_date,
        any_value(close) FILTER (k = -1) AS prev_close,
        any_value(close) FILTER (k = 0) AS close,
        any_value(adj_close) FILTER (k = -1) AS adj_m1,
        any_value(adj_close) FILTER (k = 0) AS adj_0,
        any_value(adj_close) FILTER (k = 2) AS adj_2,
        any_value(adj_close) FILTER (k = 4) AS adj_4,
        count(adj_close) FILTER (k BETWEEN -1 AND 2) = 4 AS full_0_2,
        count(adj_close) FILTER (k BETWEEN -1 AND 4) = 6 AS full_0_4,
        any_value(spy_adj_close) FILTER (k = 0) / any_value(spy_adj_close) FILTER (k = -1) - 1 AS spy_return_day0,
        any_value(qqq_adj_close) FILTER (k = 0) / any_value(qqq_adj_close) FILTER (k = -1) - 1 AS qqq_return_day0
    FROM windowed
    GROUP BY deal_id, ticker
),
returns AS (
    SELECT
        d.*,
        w.prev_trade_date,
        w.prev_close,
        w.close,
        w.adj_0 / w.adj_m1 - 1 AS return_day0,
        CASE WHEN w.full_0_2 THEN w.adj_2 / w.adj_m1 - 1 END AS return_cum_0_2,
        CASE WHEN w.full_0_4 THEN w.adj_4 / w.adj_m1 - 1 END AS return_cum_0_4,
        CASE WHEN d.us_listed THEN w.spy_return_day0 END AS spy_return_day0,
        CASE WHEN d.us_listed THEN w.qqq_return_day0 END AS qqq_return_day0,
        CASE
            WHEN d.event_date IS NULL OR d.event_date > d.last_date THEN 'beyond_price_coverage'
            WHEN d.event_date < d.first_date THEN 'not_listed_yet'
            WHEN w.adj_0 IS NULL THEN 'missing_price_day'
            WHEN w.adj_m1 IS NULL THEN 'missing_previous_day'
            ELSE 'ok'
        END AS price_status
    FROM dated d
    LEFT JOIN windows w USING (deal_id, ticker)
)
SELECT
    deal_id,
    ticker,
    company,
    announced_on,
    event_timing,
    date_is_approximate,
    event_date,
    prev_trade_date,
    currency,
    prev_close,
    close,
    return_day0,
    return_cum_0_2,
    return_cum_0_4,
    spy_return_day0,
    qqq_return_day0,
    return_day0 - spy_return_day0 AS abnormal_return_day0_spy,
    return_day0 - qqq_return_day0 AS abnormal_return_day0_qqq,
    shares_outstanding_m,
    shares_outstanding_date,
    CASE WHEN currency = 'USD' THEN shares_outstanding_m * prev_close * return_day0 / 1000 END AS market_value_added_usd_bn,
    amount_usd_bn,
    amount_basis,
    CASE WHEN currency = 'USD' AND amount_usd_bn > 0
         THEN shares_outstanding_m * prev_close * return_day0 / 1000 / amount_usd_bn END AS value_added_per_usd_announced,
    CASE WHEN event_date IS NULL THEN [deal_id]
         ELSE list(deal_id) OVER (PARTITION BY ticker, event_date ORDER BY deal_id
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) END AS event_deal_ids,
    price_status,
    list_filter([source_url, shares_source_url], lambda u: u IS NOT NULL) AS source_urls
FROM returns
ORDER BY event_date NULLS LAST, deal_id, ticker;
