-- OpenAI's reported figures for the simulation (cash, users, ARPU, revenue mix, monthly revenue,
-- 2025 revenue and cash burn): every row of raw.openai_metrics except flagged figures (note
-- 'FLAGGED: ...'), which the marts never use either. Which row of a metric wins (latest period,
-- then latest source_date) is decided in assets/simulation/metric_inputs.py.
SELECT metric_id, metric, period, value, unit, reliability, source_url, source_document, source_date
FROM raw.openai_metrics
WHERE NOT coalesce(note ILIKE 'FLAGGED:%', false)
ORDER BY metric_id;
