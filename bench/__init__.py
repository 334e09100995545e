"""Benchmarks: each writes its figures, with machine, date and commit, into docs/benchmarks.md."""
