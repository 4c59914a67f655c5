"""Benchmarks beside the tests; run them from the repository root.

``python -m benchmarks.bench_assign``: the workshop assignment, timed and compared.
"""
