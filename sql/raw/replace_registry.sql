-- Replace the five registry tables with the validated files (frames deals, deal_terms, companies,
-- openai_metrics, reference_estimates), inside the caller's transaction: a failure leaves the
-- last good registry, a rerun with the same files gives identical tables.
DELETE FROM raw.deals;
INSERT INTO raw.deals BY NAME SELECT * FROM deals;

DELETE FROM raw.deal_terms;
INSERT INTO raw.deal_terms BY NAME SELECT * FROM deal_terms;

DELETE FROM raw.companies;
INSERT INTO raw.companies BY NAME SELECT * FROM companies;

DELETE FROM raw.openai_metrics;
INSERT INTO raw.openai_metrics BY NAME SELECT * FROM openai_metrics;

DELETE FROM raw.reference_estimates;
INSERT INTO raw.reference_estimates BY NAME SELECT * FROM reference_estimates;
