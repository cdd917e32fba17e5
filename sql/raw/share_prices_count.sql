SELECT count(*) AS rows FROM raw.share_prices;
