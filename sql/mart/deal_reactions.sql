-- mart.deal_reactions: the event study. One row per deal announcement (deal_id of raw.deals) and
-- listed party with prices (a buyer or seller of core.deal_flows whose core.companies ticker has
-- rows in core.prices). Parameters ($name) come from the asset's run config
-- (assets/marts/flows.py EventStudyParams, defaults: estimation sessions -250..-30, at least 60 of
-- them, confounding window -1..+2, critical |t| 1.96).
--
-- Dates. Only a day-precise announcement gets returns (date_precise: core.deal_flows
-- announced_precision = 'day'); a month- or quarter-precise one, whose announced_on is only the
-- first day of its period, keeps its row with returns_status 'approximate_date' and no event
-- session, and never enters a ranking.
--
-- Sessions. The calendar of a listing is every day on which any ticker of its currency has a bar
-- in core.prices (USD: the US tickers and SPY/QQQ; JPY: 9984.T on the Tokyo exchange), so a day the
-- market traded but the ticker has no bar shows up as missing instead of being skipped. Session 0
-- (event_date) is the first session of the listing's own exchange on or after the news:
--   * US listings: announced_on, or the session after it for after-close news (event_timing
--     'after_close'); weekends and holidays move to the next session. 'unknown' timing takes the
--     announcement day (a spill-over shows in CAR[0,+1]).
--   * other listings (Tokyo): the first session AFTER announced_on whatever event_timing says. The
--     registry dates news by the US day (event_timing is relative to the US session), and Tokyo's
--     session of the same calendar day closes at 15:30 JST = 01:30/02:30 ET, before any US-day news
--     (SoftBank's 2025-03-31 round -> 2025-04-01).
--
-- Returns: simple close-to-close returns on core.prices.adj_close (dividend-adjusted), one per
-- session, and only where the bar before is the calendar's previous session (a return over a
-- missing bar is dropped). return_day0 / return_cum_0_2 / _0_4: the ticker's own return on session
-- 0, compounded over sessions 0..2 and 0..4 (null unless every session has a bar).
--
-- Market model (US listings, benchmark SPY and, second, QQQ): for each event and benchmark, OLS
--   r_t = alpha + beta * m_t + e_t
-- over the estimation sessions $estimation_first_session..$estimation_last_session relative to
-- session 0 (every one with both returns; n of them), via regr_intercept / regr_slope.
-- sigma2 = SSR / (n - 2) (SSR = regr_syy - regr_sxy^2 / regr_sxx). Abnormal return
-- AR_t = r_t - alpha - beta * m_t; CAR[a,b] = sum of AR_t over the L = b - a + 1 sessions (null
-- unless all L exist). Variance of a CAR, with the prediction-error correction for the
-- estimated alpha and beta (Campbell, Lo & MacKinlay 1997, eq. 4.4.10 summed over the window):
--   Var(CAR) = sigma2 * (L + L^2 / n + (sum over the window of (m_t - mean_m))^2 / Sxx)
-- where mean_m and Sxx = sum (m_s - mean_m)^2 are over the estimation sessions; without the
-- correction it would be sigma2 * L (the two differ by ~2 % here: L^2/n <= 16/221).
-- t = CAR / sqrt(Var(CAR)); significant when |t| > $critical_t (1.96: two-sided 5 % on the normal,
-- close to Student's t with n - 2 >= 58 degrees of freedom). Market-adjusted returns (r - m, no
-- estimation) stay beside: market_adjusted_*.
-- A window that cannot hold $min_estimation_sessions (>= 60) sessions is refused before this file
-- runs (EventStudyParams.problems). An event with fewer estimation sessions than that in its
-- window (a new listing such as CoreWeave's of 2025-03-28, or prices loaded from a later start)
-- gets market_model_status 'too_few_estimation_sessions' and no market model, never a model
-- estimated on too little. Listings outside the US have no benchmark of their own market in the
-- warehouse: market_model_status 'no_benchmark_for_listing'. An announcement before the first
-- session of the listing's calendar is 'before_price_coverage'.
--
-- Confounded: the party had an earnings release or filing, or another registry event, within
-- sessions $confound_first_session..$confound_last_session of session 0 (each mapped to the
-- listing's first session on or after its day):
--   * raw.sec_filings: 8-K with item 2.02 (results of operations), 10-Q, 10-K (filing_date);
--   * raw.sec_company_facts: the filing dates of the 10-Q / 10-K reports behind the facts (Oracle's
--     10-Q for FQ1-26 filed 2025-09-10, the day of the 300 bn report);
--   * another day-precise deal of the same party on another session (deals on the same session
--     are one event and share its reaction: event_deal_ids).
--
-- Value added (USD listings; the warehouse holds no FX rates): market_value_added_usd_bn =
-- shares x prev_close x return_day0 / 1000 and abnormal_value_added_spy_usd_bn = shares x prev_close
-- x AR[0] vs SPY / 1000, with the share count in force on the event date: the latest SEC dei
-- EntityCommonStockSharesOutstanding fact of raw.sec_company_facts whose as-of date ("end") is on
-- or before event_date (all share classes of that date summed), else core.companies'
-- shares_outstanding_m (shares_basis says which and whether that count is dated after the event).
CREATE OR REPLACE TABLE mart.deal_reactions AS
WITH params AS (
    SELECT
        $estimation_first_session::INTEGER AS est_first,
        $estimation_last_session::INTEGER AS est_last,
        $min_estimation_sessions::INTEGER AS min_est,
        $confound_first_session::INTEGER AS conf_first,
        $confound_last_session::INTEGER AS conf_last,
        $critical_t::DOUBLE AS critical_t
),
parties AS (
    SELECT deal_id, payer AS company FROM core.deal_flows
    UNION
    SELECT deal_id, payee AS company FROM core.deal_flows
),
precision AS (  -- the one place that decides whether a date is day-precise
    SELECT DISTINCT deal_id, announced_precision, announced_precision = 'day' AS date_precise
    FROM core.deal_flows
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
series AS (  -- one-session returns: the bar before is the calendar's previous session
    SELECT p.ticker, cal.currency, cal.session_no, cal.trade_date, p.simple_return AS r
    FROM core.prices p
    JOIN calendar cal ON cal.currency = p.currency AND cal.trade_date = p.trade_date
    JOIN calendar prev ON prev.currency = cal.currency AND prev.session_no = cal.session_no - 1
    WHERE p.prev_trade_date = prev.trade_date AND p.simple_return IS NOT NULL
),
events AS (
    SELECT
        d.deal_id,
        c.ticker,
        c.company,
        c.exchange,
        d.announced_on,
        pc.announced_precision,
        pc.date_precise,
        d.event_timing,
        pr.currency,
        pr.first_date,
        pr.last_date,
        (SELECT min(trade_date) FROM calendar cal WHERE cal.currency = pr.currency) AS calendar_first_date,
        coalesce(c.exchange IN ('NASDAQ', 'NYSE'), false) AS us_listed,
        c.shares_outstanding_m AS registry_shares_m,
        c.shares_outstanding_date AS registry_shares_date,
        c.shares_source_url,
        d.amount_usd_bn,
        d.amount_basis,
        d.source_url,
        d.announced_on + CASE
            WHEN NOT coalesce(c.exchange IN ('NASDAQ', 'NYSE'), false) THEN 1
            WHEN d.event_timing = 'after_close' THEN 1
            ELSE 0
        END AS earliest_session_date
    FROM raw.deals d
    JOIN precision pc USING (deal_id)
    JOIN parties p USING (deal_id)
    JOIN core.companies c ON c.company = p.company
    JOIN priced pr ON pr.ticker = c.ticker
),
dated AS (  -- session 0, for day-precise dates only
    SELECT e.*, cal.trade_date AS session_date, cal.session_no AS event_session
    FROM events e
    ASOF LEFT JOIN calendar cal ON cal.currency = e.currency AND cal.trade_date >= e.earliest_session_date AND e.date_precise
),
status AS (
    SELECT
        d.*,
        CASE
            WHEN NOT d.date_precise THEN 'approximate_date'
            WHEN d.earliest_session_date < d.calendar_first_date THEN 'before_price_coverage'
            WHEN d.session_date IS NULL OR d.session_date > d.last_date THEN 'beyond_price_coverage'
            WHEN d.session_date < d.first_date THEN 'not_listed_yet'
            WHEN NOT EXISTS (SELECT 1 FROM core.prices p WHERE p.ticker = d.ticker AND p.trade_date = d.session_date) THEN 'missing_price_day'
            WHEN NOT EXISTS (SELECT 1 FROM series s WHERE s.ticker = d.ticker AND s.session_no = d.event_session AND s.currency = d.currency) THEN 'missing_previous_day'
            ELSE 'ok'
        END AS returns_status
    FROM dated d
),
measured AS (  -- the events that get returns
    SELECT * FROM status WHERE returns_status = 'ok'
),
own AS (  -- the ticker's returns on sessions -1..4
    SELECT m.deal_id, m.ticker, s.session_no - m.event_session AS k, s.r
    FROM measured m
    JOIN series s ON s.ticker = m.ticker AND s.currency = m.currency
     AND s.session_no BETWEEN m.event_session - 1 AND m.event_session + 4
),
raw_returns AS (
    SELECT
        deal_id,
        ticker,
        any_value(r) FILTER (k = 0) AS return_day0,
        CASE WHEN count(r) FILTER (k BETWEEN 0 AND 2) = 3 THEN product(1 + r) FILTER (k BETWEEN 0 AND 2) - 1 END AS return_cum_0_2,
        CASE WHEN count(r) FILTER (k BETWEEN 0 AND 4) = 5 THEN product(1 + r) FILTER (k BETWEEN 0 AND 4) - 1 END AS return_cum_0_4
    FROM own
    GROUP BY deal_id, ticker
),
benchmark_rows AS (  -- the ticker's and each benchmark's return on every session the study uses
    SELECT m.deal_id, m.ticker, b.ticker AS benchmark, s.session_no - m.event_session AS k, s.trade_date, s.r, b.r AS m
    FROM measured m
    CROSS JOIN params p
    JOIN series s ON s.ticker = m.ticker AND s.currency = m.currency
     AND s.session_no BETWEEN m.event_session + least(p.est_first, -1) AND m.event_session + 2
    JOIN series b ON b.ticker IN ('SPY', 'QQQ') AND b.currency = s.currency AND b.session_no = s.session_no
    WHERE m.us_listed
),
estimation AS (
    SELECT
        r.deal_id,
        r.ticker,
        r.benchmark,
        regr_count(r.r, r.m)::BIGINT AS n,
        min(r.trade_date) AS first_date,
        max(r.trade_date) AS last_date,
        regr_intercept(r.r, r.m) AS alpha,
        regr_slope(r.r, r.m) AS beta,
        regr_avgx(r.r, r.m) AS mean_m,
        regr_sxx(r.r, r.m) AS sxx,
        (regr_syy(r.r, r.m) - regr_sxy(r.r, r.m) ^ 2 / regr_sxx(r.r, r.m)) / (regr_count(r.r, r.m) - 2) AS sigma2
    FROM benchmark_rows r, params p
    WHERE r.k BETWEEN p.est_first AND p.est_last
    GROUP BY r.deal_id, r.ticker, r.benchmark
),
windows(name, first_k, last_k) AS (VALUES ('0', 0, 0), ('0_1', 0, 1), ('0_2', 0, 2), ('m1_1', -1, 1)),
cars AS (
    SELECT
        r.deal_id,
        r.ticker,
        r.benchmark,
        w.name AS window_name,
        CASE WHEN count(*) = w.last_k - w.first_k + 1 THEN sum(r.r - e.alpha - e.beta * r.m) END AS car,
        CASE WHEN count(*) = w.last_k - w.first_k + 1 THEN sum(r.r - r.m) END AS market_adjusted,
        CASE WHEN count(*) = w.last_k - w.first_k + 1
             THEN any_value(e.sigma2) * (count(*) + count(*) ^ 2 / any_value(e.n) + sum(r.m - e.mean_m) ^ 2 / any_value(e.sxx)) END AS car_variance
    FROM benchmark_rows r
    CROSS JOIN params p
    JOIN windows w ON r.k BETWEEN w.first_k AND w.last_k
    -- no market model on too few sessions (car null), the market-adjusted return all the same
    LEFT JOIN estimation e ON e.deal_id = r.deal_id AND e.ticker = r.ticker AND e.benchmark = r.benchmark AND e.n >= p.min_est
    GROUP BY r.deal_id, r.ticker, r.benchmark, w.name, w.first_k, w.last_k
),
study AS (  -- one row per event: the statistics of both benchmarks side by side
    SELECT
        e.deal_id,
        e.ticker,
        any_value(e.n) FILTER (e.benchmark = 'SPY') AS estimation_sessions,
        any_value(e.first_date) FILTER (e.benchmark = 'SPY') AS estimation_first_date,
        any_value(e.last_date) FILTER (e.benchmark = 'SPY') AS estimation_last_date,
        any_value(e.alpha) FILTER (e.benchmark = 'SPY' AND e.n >= p.min_est) AS alpha_spy,
        any_value(e.beta) FILTER (e.benchmark = 'SPY' AND e.n >= p.min_est) AS beta_spy,
        sqrt(any_value(e.sigma2) FILTER (e.benchmark = 'SPY' AND e.n >= p.min_est)) AS residual_sd_spy,
        any_value(e.alpha) FILTER (e.benchmark = 'QQQ' AND e.n >= p.min_est) AS alpha_qqq,
        any_value(e.beta) FILTER (e.benchmark = 'QQQ' AND e.n >= p.min_est) AS beta_qqq,
        sqrt(any_value(e.sigma2) FILTER (e.benchmark = 'QQQ' AND e.n >= p.min_est)) AS residual_sd_qqq
    FROM estimation e, params p
    GROUP BY e.deal_id, e.ticker
),
car_wide AS (
    SELECT
        deal_id,
        ticker,
        any_value(car) FILTER (benchmark = 'SPY' AND window_name = '0') AS ar_day0_spy,
        any_value(car / sqrt(car_variance)) FILTER (benchmark = 'SPY' AND window_name = '0') AS t_day0_spy,
        any_value(car) FILTER (benchmark = 'SPY' AND window_name = '0_1') AS car_0_1_spy,
        any_value(car / sqrt(car_variance)) FILTER (benchmark = 'SPY' AND window_name = '0_1') AS t_0_1_spy,
        any_value(car) FILTER (benchmark = 'SPY' AND window_name = '0_2') AS car_0_2_spy,
        any_value(car / sqrt(car_variance)) FILTER (benchmark = 'SPY' AND window_name = '0_2') AS t_0_2_spy,
        any_value(car) FILTER (benchmark = 'SPY' AND window_name = 'm1_1') AS car_m1_1_spy,
        any_value(car / sqrt(car_variance)) FILTER (benchmark = 'SPY' AND window_name = 'm1_1') AS t_m1_1_spy,
        any_value(car) FILTER (benchmark = 'QQQ' AND window_name = '0') AS ar_day0_qqq,
        any_value(car / sqrt(car_variance)) FILTER (benchmark = 'QQQ' AND window_name = '0') AS t_day0_qqq,
        any_value(car) FILTER (benchmark = 'QQQ' AND window_name = '0_1') AS car_0_1_qqq,
        any_value(car / sqrt(car_variance)) FILTER (benchmark = 'QQQ' AND window_name = '0_1') AS t_0_1_qqq,
        any_value(car) FILTER (benchmark = 'QQQ' AND window_name = '0_2') AS car_0_2_qqq,
        any_value(car / sqrt(car_variance)) FILTER (benchmark = 'QQQ' AND window_name = '0_2') AS t_0_2_qqq,
        any_value(car) FILTER (benchmark = 'QQQ' AND window_name = 'm1_1') AS car_m1_1_qqq,
        any_value(car / sqrt(car_variance)) FILTER (benchmark = 'QQQ' AND window_name = 'm1_1') AS t_m1_1_qqq,
        any_value(market_adjusted) FILTER (benchmark = 'SPY' AND window_name = '0') AS market_adjusted_day0_spy,
        any_value(market_adjusted) FILTER (benchmark = 'SPY' AND window_name = '0_2') AS market_adjusted_0_2_spy,
        any_value(market_adjusted) FILTER (benchmark = 'QQQ' AND window_name = '0') AS market_adjusted_day0_qqq,
        any_value(market_adjusted) FILTER (benchmark = 'QQQ' AND window_name = '0_2') AS market_adjusted_0_2_qqq
    FROM cars
    GROUP BY deal_id, ticker
),
earnings AS (  -- earnings releases and periodic reports of the parties, by day
    SELECT DISTINCT ticker, day, what
    FROM (
        SELECT ticker, filing_date AS day,
               form || CASE WHEN form LIKE '8-K%' THEN ' item 2.02' ELSE '' END || ' filed ' || filing_date AS what
        FROM raw.sec_filings
        WHERE (form IN ('8-K', '8-K/A') AND list_contains(string_split(replace(items, ' ', ''), ','), '2.02'))
           OR form IN ('10-Q', '10-K')
        UNION ALL
        SELECT ticker, filed, form || ' filed ' || filed FROM raw.sec_company_facts WHERE form IN ('10-Q', '10-K')
        UNION ALL
        SELECT ticker, first_filed, first_form || ' filed ' || first_filed FROM raw.sec_company_facts WHERE first_form IN ('10-Q', '10-K')
    )
),
earnings_sessions AS (
    SELECT e.ticker, e.what, cal.session_no
    FROM earnings e
    JOIN priced pr USING (ticker)
    ASOF JOIN calendar cal ON cal.currency = pr.currency AND cal.trade_date >= e.day
),
confounders AS (
    SELECT m.deal_id, m.ticker, list(DISTINCT x.what ORDER BY x.what) AS confounding_events
    FROM measured m
    CROSS JOIN params p
    JOIN (
        SELECT ticker, what, session_no, false AS is_deal FROM earnings_sessions
        UNION ALL
        SELECT ticker, 'deal ' || deal_id || ' (' || session_date || ')', event_session, true FROM dated WHERE event_session IS NOT NULL
    ) x ON x.ticker = m.ticker
       AND x.session_no BETWEEN m.event_session + p.conf_first AND m.event_session + p.conf_last
       AND NOT (x.is_deal AND x.session_no = m.event_session)  -- same session: the same event
    GROUP BY m.deal_id, m.ticker
),
shares AS (  -- the share count in force on session 0: SEC dei facts of the latest as-of date on or before it
    SELECT m.deal_id, m.ticker, f.as_of, f.shares_m, f.accns
    FROM measured m
    ASOF JOIN (
        SELECT ticker, "end" AS as_of, sum(val) / 1e6 AS shares_m, list(DISTINCT accn ORDER BY accn) AS accns
        FROM raw.sec_company_facts
        WHERE concept = 'EntityCommonStockSharesOutstanding' AND unit = 'shares'
        GROUP BY ticker, "end"
    ) f ON f.ticker = m.ticker AND f.as_of <= m.session_date
),
closes AS (
    SELECT m.deal_id, m.ticker, prev.trade_date AS prev_trade_date, prev.close AS prev_close, cur.close
    FROM measured m
    JOIN calendar cp ON cp.currency = m.currency AND cp.session_no = m.event_session - 1
    LEFT JOIN core.prices prev ON prev.ticker = m.ticker AND prev.trade_date = cp.trade_date
    LEFT JOIN core.prices cur ON cur.ticker = m.ticker AND cur.trade_date = m.session_date
),
joined AS (
    SELECT
        s.*,
        CASE WHEN s.returns_status = 'ok' THEN s.session_date END AS event_date,
        c.prev_trade_date, c.prev_close, c.close,
        r.return_day0, r.return_cum_0_2, r.return_cum_0_4,
        st.estimation_sessions, st.estimation_first_date, st.estimation_last_date,
        st.alpha_spy, st.beta_spy, st.residual_sd_spy, st.alpha_qqq, st.beta_qqq, st.residual_sd_qqq,
        cw.* EXCLUDE (deal_id, ticker),
        CASE
            WHEN s.returns_status <> 'ok' THEN NULL
            WHEN NOT s.us_listed THEN 'no_benchmark_for_listing'
            WHEN coalesce(st.estimation_sessions, 0) < p.min_est THEN 'too_few_estimation_sessions'
            ELSE 'ok'
        END AS market_model_status,
        coalesce(cf.confounding_events, []::VARCHAR[]) AS confounding_events,
        CASE WHEN s.returns_status <> 'ok' THEN NULL WHEN sh.shares_m IS NOT NULL THEN sh.shares_m ELSE s.registry_shares_m END AS shares_m,
        CASE WHEN s.returns_status <> 'ok' THEN NULL WHEN sh.shares_m IS NOT NULL THEN sh.as_of ELSE s.registry_shares_date END AS shares_date,
        CASE WHEN s.returns_status <> 'ok' THEN NULL
             WHEN sh.shares_m IS NOT NULL THEN 'sec_dei_on_or_before_event'
             WHEN s.registry_shares_m IS NULL THEN NULL
             WHEN s.registry_shares_date <= s.session_date THEN 'registry_on_or_before_event'
             ELSE 'registry_after_event' END AS shares_basis,
        CASE WHEN sh.shares_m IS NOT NULL THEN 'SEC companyfacts dei EntityCommonStockSharesOutstanding (' || array_to_string(sh.accns, ', ') || ')'
             ELSE s.shares_source_url END AS shares_source,
        p.critical_t
    FROM status s
    CROSS JOIN params p
    LEFT JOIN closes c USING (deal_id, ticker)
    LEFT JOIN raw_returns r USING (deal_id, ticker)
    LEFT JOIN study st USING (deal_id, ticker)
    LEFT JOIN car_wide cw USING (deal_id, ticker)
    LEFT JOIN confounders cf USING (deal_id, ticker)
    LEFT JOIN shares sh USING (deal_id, ticker)
)
SELECT
    deal_id,
    ticker,
    company,
    exchange,
    announced_on,
    announced_precision,
    event_timing,
    event_date,
    returns_status,
    CASE returns_status
        WHEN 'approximate_date' THEN 'announced_on is only ' || announced_precision || '-precise (first day of the period): no event session, no returns'
        WHEN 'beyond_price_coverage' THEN 'session 0 lies after the last price in core.prices'
        WHEN 'before_price_coverage' THEN 'announced before the first session in core.prices (' || calendar_first_date || ')'
        WHEN 'not_listed_yet' THEN 'announced before the first price of ' || ticker || ' (' || first_date || ')'
        WHEN 'missing_price_day' THEN ticker || ' has no bar on session 0 (' || session_date || ')'
        WHEN 'missing_previous_day' THEN ticker || ' has no bar on the session before ' || session_date
    END AS returns_note,
    prev_trade_date,
    currency,
    round(prev_close, 4) AS prev_close,
    round(close, 4) AS close,
    round(return_day0, 4) AS return_day0,
    round(return_cum_0_2, 4) AS return_cum_0_2,
    round(return_cum_0_4, 4) AS return_cum_0_4,
    market_model_status,
    estimation_sessions,
    estimation_first_date,
    estimation_last_date,
    round(alpha_spy, 6) AS alpha_spy,
    round(beta_spy, 4) AS beta_spy,
    round(residual_sd_spy, 6) AS residual_sd_spy,
    round(ar_day0_spy, 4) AS ar_day0_spy,
    round(t_day0_spy, 4) AS t_day0_spy,
    round(car_0_1_spy, 4) AS car_0_1_spy,
    round(t_0_1_spy, 4) AS t_0_1_spy,
    round(car_0_2_spy, 4) AS car_0_2_spy,
    round(t_0_2_spy, 4) AS t_0_2_spy,
    round(car_m1_1_spy, 4) AS car_m1_1_spy,
    round(t_m1_1_spy, 4) AS t_m1_1_spy,
    round(alpha_qqq, 6) AS alpha_qqq,
    round(beta_qqq, 4) AS beta_qqq,
    round(residual_sd_qqq, 6) AS residual_sd_qqq,
    round(ar_day0_qqq, 4) AS ar_day0_qqq,
    round(t_day0_qqq, 4) AS t_day0_qqq,
    round(car_0_1_qqq, 4) AS car_0_1_qqq,
    round(t_0_1_qqq, 4) AS t_0_1_qqq,
    round(car_0_2_qqq, 4) AS car_0_2_qqq,
    round(t_0_2_qqq, 4) AS t_0_2_qqq,
    round(car_m1_1_qqq, 4) AS car_m1_1_qqq,
    round(t_m1_1_qqq, 4) AS t_m1_1_qqq,
    abs(t_day0_spy) > critical_t AS significant_day0_spy,
    abs(t_0_2_spy) > critical_t AS significant_0_2_spy,
    abs(t_day0_qqq) > critical_t AS significant_day0_qqq,
    abs(t_0_2_qqq) > critical_t AS significant_0_2_qqq,
    round(market_adjusted_day0_spy, 4) AS market_adjusted_day0_spy,
    round(market_adjusted_0_2_spy, 4) AS market_adjusted_0_2_spy,
    round(market_adjusted_day0_qqq, 4) AS market_adjusted_day0_qqq,
    round(market_adjusted_0_2_qqq, 4) AS market_adjusted_0_2_qqq,
    CASE WHEN returns_status = 'ok' THEN len(confounding_events) > 0 END AS confounded,
    confounding_events,
    round(shares_m, 4) AS shares_outstanding_m,
    shares_date AS shares_outstanding_date,
    shares_basis,
    CASE WHEN currency = 'USD' THEN round(shares_m * prev_close * return_day0 / 1000, 2) END AS market_value_added_usd_bn,
    CASE WHEN currency = 'USD' THEN round(shares_m * prev_close * ar_day0_spy / 1000, 2) END AS abnormal_value_added_spy_usd_bn,
    amount_usd_bn,
    amount_basis,
    CASE WHEN currency = 'USD' AND amount_usd_bn > 0
         THEN round(shares_m * prev_close * return_day0 / 1000 / amount_usd_bn, 4) END AS value_added_per_usd_announced,
    CASE WHEN event_date IS NULL THEN [deal_id]
         ELSE list(deal_id) OVER (PARTITION BY ticker, event_date ORDER BY deal_id
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) END AS event_deal_ids,
    list_filter([source_url, CASE WHEN shares_basis LIKE 'registry%' THEN shares_source ELSE NULL END], lambda u: u IS NOT NULL) AS source_urls,
    CASE WHEN shares_basis = 'sec_dei_on_or_before_event' THEN shares_source END AS shares_source
FROM joined
ORDER BY event_date NULLS LAST, deal_id, ticker;
