"""Loopback HTTP servers that replay real provider formats, for tests and benchmarks."""
