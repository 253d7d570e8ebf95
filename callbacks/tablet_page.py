"""Callbacks of layouts/tablet_page.py (placeholder)."""
