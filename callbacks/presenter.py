"""Callbacks of layouts/presenter.py (placeholder)."""
