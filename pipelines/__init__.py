"""The Dagster code location: definitions, resources, jobs, and the daily refresh command."""
