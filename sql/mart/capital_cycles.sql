-- mart.capital_cycles: one row per directed cycle of 2 to 5 edges in core.deal_flows, where an
-- edge is a flow of money or value from payer to payee (equity: investor -> investee; purchase
-- commitment: customer -> supplier; warrant: issuer -> holder; backstop: guarantor -> beneficiary).
--
-- The rule for several flows between the same ordered pair (payer, payee): they form ONE edge, so
-- a cycle is one row per sequence of companies, listing every deal id of every flow on its edges
-- (overlapping and umbrella rows included: they describe the relationship too). The edge's amount
-- is the sum of its flows' known amounts WHERE counts_in_totals (the registry's rule for totals:
-- one row per overlap group, never an umbrella programme), so overlapping deals are never summed
-- while distinct contracts between the same pair (OpenAI's three CoreWeave contracts) add up. An
-- edge with no counted flow of known amount has no amount. bottleneck_usd_bn is the smallest edge
-- amount on the cycle, null as soon as one edge has no amount.
--
-- An edge is confirmed when at least one of its flows has confidence 'confirmed_press_release'
-- (a party announced or filed it); press_only_edges lists the edges that rest only on press reports.
--
-- Each cycle appears once: the recursive walk starts at the cycle's smallest company name (binary
-- string order) and only visits larger names, never the same company twice. cycle_id is that
-- canonical node list joined by '>', stable across runs. path repeats the start at the end.
CREATE OR REPLACE TABLE mart.capital_cycles AS
WITH RECURSIVE
edges AS (
    SELECT
        payer AS src,
        payee AS dst,
        sum(amount_usd_bn) FILTER (counts_in_totals) AS amount_usd_bn,
        bool_or(confidence = 'confirmed_press_release') AS confirmed,
        list(deal_id ORDER BY announced_on, deal_id) AS deal_ids,
        array_to_string(list(DISTINCT kind ORDER BY kind), '+') AS kinds,
        list(DISTINCT source_url ORDER BY source_url) FILTER (source_url IS NOT NULL) AS source_urls
    FROM core.deal_flows
    WHERE payer IS NOT NULL AND payee IS NOT NULL AND payer <> payee
    GROUP BY payer, payee
),
walks(start_node, nodes) AS (
    SELECT src, [src, dst] FROM edges WHERE dst > src
    UNION ALL
    SELECT w.start_node, list_append(w.nodes, e.dst)
    FROM walks w
    JOIN edges e ON e.src = w.nodes[-1]
    WHERE e.dst > w.start_node AND NOT list_contains(w.nodes, e.dst) AND len(w.nodes) < 5
),
cycles AS (  -- walks whose last company has an edge back to the start
    SELECT w.nodes
    FROM walks w
    JOIN edges e ON e.src = w.nodes[-1] AND e.dst = w.start_node
),
cycle_edges AS (
    SELECT
        nodes,
        i AS position,
        nodes[i] AS src,
        nodes[i % len(nodes) + 1] AS dst
    FROM (SELECT nodes, unnest(range(1, len(nodes) + 1)) AS i FROM cycles)
),
described AS (
    SELECT
        c.nodes,
        list(e.amount_usd_bn ORDER BY c.position) AS edge_amounts_usd_bn,
        list(e.kinds ORDER BY c.position) AS edge_kinds,
        count(*) = count(e.amount_usd_bn) AS all_amounts_known,
        min(e.amount_usd_bn) AS smallest_amount,
        arg_min(c.src || ' -> ' || c.dst, e.amount_usd_bn) AS smallest_edge,
        bool_and(e.confirmed) AS all_edges_confirmed,
        coalesce(list(c.src || ' -> ' || c.dst ORDER BY c.position) FILTER (NOT e.confirmed), []::VARCHAR[]) AS press_only_edges,
        flatten(list(e.deal_ids ORDER BY c.position)) AS deal_ids,
        list_sort(list_distinct(flatten(list(e.source_urls)))) AS source_urls
    FROM cycle_edges c
    JOIN edges e ON e.src = c.src AND e.dst = c.dst
    GROUP BY c.nodes
)
SELECT
    array_to_string(nodes, '>') AS cycle_id,
    array_to_string(list_append(nodes, nodes[1]), ' -> ') AS path,
    len(nodes) AS n_edges,
    nodes,
    edge_kinds,
    edge_amounts_usd_bn,
    CASE WHEN all_amounts_known THEN smallest_amount END AS bottleneck_usd_bn,
    CASE WHEN all_amounts_known THEN smallest_edge END AS bottleneck_edge,
    all_edges_confirmed,
    press_only_edges,
    deal_ids,
    source_urls
FROM described
ORDER BY n_edges, cycle_id;
