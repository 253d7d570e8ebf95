"""Callbacks of layouts/duty_page.py (placeholder)."""
