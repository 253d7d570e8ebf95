"""Callbacks of layouts/incident_page.py (placeholder)."""
