"""The perpetuum asset graph, one package per domain (market, deals, ...)."""
