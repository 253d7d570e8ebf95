"""Callbacks of layouts/hazchem_page.py (placeholder)."""
