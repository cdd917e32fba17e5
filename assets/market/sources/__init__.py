"""Price sources. Each module turns one provider's responses into a `PriceBatch`; none imports Dagster."""
