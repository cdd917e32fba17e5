"""Share prices and corporate actions: sources, validation and the Dagster assets."""
