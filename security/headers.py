"""Security headers on every response, Dash pages and the sign-in pages included.

The policy is strict because the app runs air-gapped: everything comes from this server
('self'), nothing from a CDN; the only other origin is the intranet tile server of
TILE_URL, for images. Scripts run only from /assets and Dash's bundles, plus Dash's own
inline start-up script, allowed by its hash (`Dash.csp_hashes`). No 'unsafe-eval': Dash 4,
plotly and dash-leaflet run without it (tests/browser/test_xss.py loads every screen and
fails on any violation). docs/security.md explains each directive and the one exception.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import dash
from dash import _callback
from flask import Response

# Sent on every response; the CSP is built once per app (the inline scripts' hashes are
# known only after every callback is registered, which is before the first request).
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # No screen is ever framed (a wall of several browsers uses ?tiles=, not frames).
    "X-Frame-Options": "DENY",
    # Tile requests to the intranet tile server carry no path of ours (incident ids).
    "Referrer-Policy": "same-origin",
}


def tile_source(tile_url: str | None) -> str | None:
    """The CSP source of an XYZ template: its scheme and host, `{s}`-style subdomains as `*`.

    >>> tile_source("https://t{s}.tianditu.gov.cn/DataServer?x={x}&y={y}&l={z}")
    'https://*.tianditu.gov.cn'
    """
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    host = parts.netloc.rsplit("@", 1)[-1]
    labels = host.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    return f"{parts.scheme}://{'.'.join(labels)}"


def policy(app: dash.Dash, tile_url: str | None = None) -> str:
    """The Content-Security-Policy of `app`'s responses."""
    images = ["'self'", "data:", "blob:"]
    if tile := tile_source(tile_url):
        images.append(tile)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *app.csp_hashes()],
        # Plotly writes its own <style> element and Dash sets style attributes: see
        # docs/security.md for why this exception stays.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def init_app(app: dash.Dash, tile_url: str | None = None) -> None:
    """Put the CSP and the other security headers on every response of `app`'s server."""
    built: dict[int, str] = {}

    @app.server.after_request
    def _security_headers(response: Response) -> Response:
        # Dash adds inline scripts of its own (Dash pages') when it sets itself up at its
        # first request, which may come after ours (a redirect to /login): hash what is there.
        def count() -> int:
            return len(app._inline_scripts) + len(_callback.GLOBAL_INLINE_SCRIPTS)

        if count() not in built:
            current = policy(app, tile_url)  # takes in the global ones: count it after
            built.clear()
            built[count()] = current
        # A page that sets a stricter policy of its own (the printable report: no script at
        # all) keeps it.
        response.headers.setdefault("Content-Security-Policy", next(iter(built.values())))
        for name, value in STATIC_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
