"""The derived tables users query and the simulation reads: one SQL file and one asset per mart."""
