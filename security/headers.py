"""Security headers on every response, Dash pages and the sign-in pages included.

The policy is strict because the app runs air-gapped: everything comes from this server
('self'), nothing from a CDN; the only other origins are the intranet tile server of
TILE_URL, for images, and the camera origins of CAMERA_ORIGINS, for video (media and the
HLS playlists and segments hls.js fetches; MJPEG is an image). hls.js plays through Media
Source Extensions, whose media URLs are blob:; its web worker is not used, so workers stay
'self' only. Scripts run only from /assets and Dash's bundles, plus Dash's own
inline start-up script, allowed by its hash (`Dash.csp_hashes`). No 'unsafe-eval': Dash 4,
plotly and dash-leaflet run without it (tests/browser/test_xss.py loads every screen and
fails on any violation). docs/security.md explains each directive and the one exception.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import dash
from flask import Response

# Sent on every response beside the CSP.
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


def policy(
    app: dash.Dash, tile_url: str | None = None, camera_origins: tuple[str, ...] = ()
) -> str:
    """The Content-Security-Policy of `app`'s responses."""
    images = ["'self'", "data:", "blob:"]
    if tile := tile_source(tile_url):
        images.append(tile)
    images += camera_origins
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *app.csp_hashes()],
        # Plotly writes its own <style> element and Dash sets style attributes: see
        # docs/security.md for why this exception stays.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "font-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:", *camera_origins],
        "connect-src": ["'self'", *camera_origins],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def init_app(
    app: dash.Dash, tile_url: str | None = None, camera_origins: tuple[str, ...] = ()
) -> None:
    """Put the CSP and the other security headers on every response of `app`'s server."""

    @app.server.after_request
    def _security_headers(response: Response) -> Response:
        # Dash adds inline scripts of its own (Dash pages') when it sets itself up at its
        # first request, which may come after ours (a redirect to /login). Its public
        # `csp_hashes()` hashes whatever is there by then; asking it on every response
        # (about 50 us) keeps the policy in step without reading Dash's internals.
        # A page that sets a stricter policy of its own (the printable report: no script at
        # all) keeps it.
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = policy(app, tile_url, camera_origins)
        for name, value in STATIC_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
