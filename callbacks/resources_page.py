"""Callbacks of layouts/resources_page.py (placeholder)."""
