"""Benchmarks: scripts that measure and print numbers against targets (they never gate).

Run from the repository root, e.g. `.venv/bin/python -m bench.matrix_scale`.
See bench/README.md.
"""
