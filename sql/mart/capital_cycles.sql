-- mart.capital_cycles: one row per directed cycle of 2 to 5 edges in core.deal_flows whose money
-- moves within $cycle_window_months months (run config, default 24) of the cycle's other edges.
-- An edge is a flow of money or value from payer to payee (equity: investor -> investee; purchase
-- commitment: customer -> supplier; warrant: issuer -> holder; backstop: guarantor -> beneficiary).
--
-- Time. Each flow's money moves over a span: from the start of its start_period (else its
-- announcement date) to the end of its end_period (else the end of its start_period, else the
-- announcement date). Microsoft's stake (start_period 2019: money of 2019-23, re-stated in Oct
-- 2025) therefore lies in 2019, not in 2025. A set of flows, one per edge, is "in time" when every
-- two of them are at most the window apart: the latest span start minus the earliest span end is
-- at most $cycle_window_months months (the largest gap between any two spans). The walk goes
-- flow by flow and carries that latest start and earliest end, so only cycles with at least one
-- in-time set of flows appear; an edge's flows that are in no in-time set are left out of the row
-- (out_of_window_deal_ids names them).
--
-- Amounts. An edge's amount is the sum of the known amounts of its in-time flows WHERE
-- counts_in_totals (one row per overlap group, never an umbrella programme), so overlapping deals
-- are never summed while distinct contracts between the same pair add up; null when none has an
-- amount. bottleneck_usd_bn is the smallest edge amount, null as soon as one edge has none.
--
-- Confirmation. An edge's amount is confirmed when every counted in-time flow with an amount was
-- announced or filed by a party (confidence 'confirmed_press_release'); all_edges_confirmed means
-- every edge has an amount and a party confirmed each; press_only_amounts names each amount that
-- rests only on press reports, and edges_without_amount the edges with no known amount.
--
-- Each cycle appears once: the walk starts at the cycle's smallest company name (binary string
-- order) and only visits larger names, never the same company twice. cycle_id is that canonical
-- node list joined by '>', stable across runs. path repeats the start at the end.
CREATE OR REPLACE TABLE mart.capital_cycles AS
WITH RECURSIVE
params AS (SELECT $cycle_window_months::INTEGER AS window_months),
flows AS (
    SELECT
        deal_id,
        payer AS src,
        payee AS dst,
        kind,
        amount_usd_bn,
        counts_in_totals,
        confidence,
        source_url,
        coalesce(period_start(start_period), announced_on) AS money_from,
        coalesce(period_end(end_period), period_end(start_period), announced_on) AS money_to
    FROM core.deal_flows
    WHERE payer IS NOT NULL AND payee IS NOT NULL AND payer <> payee
),
walks(start_node, nodes, deal_ids, latest_from, earliest_to) AS (
    SELECT f.src, [f.src, f.dst], [f.deal_id], f.money_from, f.money_to
    FROM flows f
    WHERE f.dst > f.src
    UNION ALL
    SELECT w.start_node, list_append(w.nodes, f.dst), list_append(w.deal_ids, f.deal_id),
           greatest(w.latest_from, f.money_from), least(w.earliest_to, f.money_to)
    FROM walks w
    JOIN flows f ON f.src = w.nodes[-1]
    CROSS JOIN params p
    WHERE f.dst > w.start_node AND NOT list_contains(w.nodes, f.dst) AND len(w.nodes) < 5
      AND greatest(w.latest_from, f.money_from) <= least(w.earliest_to, f.money_to) + to_months(p.window_months)
),
closed AS (  -- walks whose last company has an in-time flow back to the start: one row per in-time set
    SELECT w.nodes, list_append(w.deal_ids, f.deal_id) AS deal_ids
    FROM walks w
    JOIN flows f ON f.src = w.nodes[-1] AND f.dst = w.start_node
    CROSS JOIN params p
    WHERE greatest(w.latest_from, f.money_from) <= least(w.earliest_to, f.money_to) + to_months(p.window_months)
),
in_time AS (  -- the flows of each cycle that take part in at least one in-time set
    SELECT DISTINCT c.nodes, u.deal_id
    FROM closed c, unnest(c.deal_ids) AS u(deal_id)
),
cycle_edges AS (
    SELECT nodes, i AS position, nodes[i] AS src, nodes[i % len(nodes) + 1] AS dst
    FROM (SELECT DISTINCT nodes FROM closed), range(1, len(nodes) + 1) AS r(i)
),
edges AS (  -- each edge of each cycle, from its in-time flows
    SELECT
        ce.nodes,
        ce.position,
        ce.src || ' -> ' || ce.dst AS edge,
        sum(f.amount_usd_bn) FILTER (f.counts_in_totals AND t.deal_id IS NOT NULL) AS amount_usd_bn,
        array_to_string(list(DISTINCT f.kind ORDER BY f.kind) FILTER (t.deal_id IS NOT NULL), '+') AS kinds,
        coalesce(bool_and(f.confidence = 'confirmed_press_release')
                     FILTER (f.counts_in_totals AND f.amount_usd_bn IS NOT NULL AND t.deal_id IS NOT NULL), false) AS amount_confirmed,
        list(f.deal_id || ' ' || f.amount_usd_bn || ' bn' ORDER BY f.deal_id)
            FILTER (f.counts_in_totals AND f.amount_usd_bn IS NOT NULL AND t.deal_id IS NOT NULL
                    AND f.confidence <> 'confirmed_press_release') AS press_amounts,
        list(f.deal_id ORDER BY f.money_from, f.deal_id) FILTER (t.deal_id IS NOT NULL) AS deal_ids,
        list(f.deal_id ORDER BY f.deal_id) FILTER (t.deal_id IS NULL) AS out_of_window,
        min(f.money_from) FILTER (t.deal_id IS NOT NULL) AS money_from,
        max(f.money_to) FILTER (t.deal_id IS NOT NULL) AS money_to,
        list(DISTINCT f.source_url ORDER BY f.source_url) FILTER (f.source_url IS NOT NULL AND t.deal_id IS NOT NULL) AS source_urls
    FROM cycle_edges ce
    JOIN flows f ON f.src = ce.src AND f.dst = ce.dst
    LEFT JOIN in_time t ON t.nodes = ce.nodes AND t.deal_id = f.deal_id
    GROUP BY ce.nodes, ce.position, ce.src, ce.dst
),
described AS (
    SELECT
        nodes,
        list(amount_usd_bn ORDER BY position) AS edge_amounts_usd_bn,
        list(kinds ORDER BY position) AS edge_kinds,
        count(*) = count(amount_usd_bn) AS all_amounts_known,
        min(amount_usd_bn) AS smallest_amount,
        arg_min(edge, amount_usd_bn) AS smallest_edge,
        bool_and(amount_confirmed AND amount_usd_bn IS NOT NULL) AS all_edges_confirmed,
        coalesce(list(edge ORDER BY position) FILTER (NOT amount_confirmed AND amount_usd_bn IS NOT NULL), []::VARCHAR[]) AS press_only_edges,
        coalesce(flatten(list(list_transform(press_amounts, lambda a: edge || ': ' || a) ORDER BY position)
                         FILTER (press_amounts IS NOT NULL)), []::VARCHAR[]) AS press_only_amounts,
        coalesce(list(edge ORDER BY position) FILTER (amount_usd_bn IS NULL), []::VARCHAR[]) AS edges_without_amount,
        min(money_from) AS money_from,
        max(money_to) AS money_to,
        flatten(list(deal_ids ORDER BY position)) AS deal_ids,
        coalesce(flatten(list(out_of_window ORDER BY position) FILTER (out_of_window IS NOT NULL)), []::VARCHAR[]) AS out_of_window_deal_ids,
        list_sort(list_distinct(flatten(list(source_urls) FILTER (source_urls IS NOT NULL)))) AS source_urls
    FROM edges
    GROUP BY nodes
)
SELECT
    array_to_string(nodes, '>') AS cycle_id,
    array_to_string(list_append(nodes, nodes[1]), ' -> ') AS path,
    len(nodes) AS n_edges,
    nodes,
    edge_kinds,
    list_transform(edge_amounts_usd_bn, lambda a: round(a, 2)) AS edge_amounts_usd_bn,
    CASE WHEN all_amounts_known THEN round(smallest_amount, 2) END AS bottleneck_usd_bn,
    CASE WHEN all_amounts_known THEN smallest_edge END AS bottleneck_edge,
    money_from,
    money_to,
    (SELECT window_months FROM params) AS window_months,
    all_edges_confirmed,
    press_only_edges,
    press_only_amounts,
    edges_without_amount,
    deal_ids,
    out_of_window_deal_ids,
    source_urls
FROM described
ORDER BY n_edges, cycle_id;
