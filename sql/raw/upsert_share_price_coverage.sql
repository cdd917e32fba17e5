-- Record, per partition day of the batch, what was asked and whether every ticker was covered.
INSERT OR REPLACE INTO raw.share_price_coverage BY NAME
SELECT * FROM coverage;
