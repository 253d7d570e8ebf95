"""Callbacks of layouts/consult_page.py (placeholder)."""
