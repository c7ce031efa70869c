"""Benchmarks: ``python -m labormarket.bench`` (what ``make bench`` runs).

:mod:`labormarket.bench.exchange` measures the labour exchange at national scale — vacancy and
CV search, matching, the search API — each against the raw SQL of the same work as the
baseline, and writes ``docs/benchmarks.md``.
"""
