"""What the browser is told not to trust, and text that must stay text.

- `headers`: the Content-Security-Policy and the other security headers on every response.
- `text`: one escaping rule per place text meets a markup language: HTML strings (the few
  tables built as HTML for speed), plotly's pseudo-HTML labels, and spreadsheet cells.
"""

from security.headers import init_app

__all__ = ["init_app"]
