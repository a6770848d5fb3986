"""Benchmarks of issue #5: each script prints a table and writes JSON; not run in CI."""
