"""Repatriation Atlas domain package: schema, loading, validation, filters.

Nothing in this package imports Streamlit (tests/test_layers_rule.py checks it).
"""
