-- AMD's daily closes, the input of the share-price model (drift and volatility of log returns).
SELECT trade_date, close FROM core.prices WHERE ticker = 'AMD' ORDER BY trade_date;
