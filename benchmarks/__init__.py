"""Benchmarks for dedupe: the labelled Reuters benchmark generator and its helpers."""
