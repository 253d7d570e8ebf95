"""A camera's address: checked on the way in, and against the allowed origins on the way out.

An address is an absolute http(s) URL on an intranet host (`https://nvr3.example/live/7.m3u8`)
or a path on this server (`/demo-video/hls/index.m3u8`: the demo's own streams). Anything else
(`javascript:`, `data:`, `file:`, user:password@, spaces and control characters, a
protocol-relative `//host`) is refused with a message. Addresses are only ever handed to the
browser as a data attribute and set as a media element's `src`: never as HTML.
"""

from __future__ import annotations

from urllib.parse import urlsplit

KINDS = ("hls", "mjpeg")
MAX_LENGTH = 2000


def camera_url(raw: str) -> str:
    """`raw` if it is a camera address this dashboard will show; else ValueError naming why.

    >>> camera_url("http://10.0.0.7/live.m3u8")
    'http://10.0.0.7/live.m3u8'
    >>> camera_url("javascript:alert(1)")
    Traceback (most recent call last):
    ValueError: a camera address must be an http or https URL or a path on this server
    """
    if not isinstance(raw, str) or not raw:
        raise ValueError("a camera address is required")
    if len(raw) > MAX_LENGTH:
        raise ValueError(f"a camera address is at most {MAX_LENGTH} characters")
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F or c in "<>\"'`\\" for c in raw):
        raise ValueError("a camera address may not contain spaces, quotes or control characters")
    if raw.startswith("/") and not raw.startswith("//"):
        return raw
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("a camera address must be an http or https URL or a path on this server")
    if "@" in parts.netloc:
        raise ValueError("a camera address may not carry a user name or password")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ValueError("a camera address has a bad port") from None
    return raw


def camera_kind(raw: str) -> str:
    if raw not in KINDS:
        raise ValueError(f"a camera's stream kind is one of {', '.join(KINDS)}")
    return raw


def origin(url: str) -> str | None:
    """The origin (`scheme://host[:port]`) of an absolute URL; None for a path on this server."""
    if url.startswith("/"):
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def camera_origin(raw: str) -> str:
    """One entry of CAMERA_ORIGINS: `scheme://host[:port]`, nothing after it."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise ValueError(f"{raw!r} is not an http(s) origin such as https://nvr.example:8443")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "*" in parts.netloc:
        raise ValueError(f"{raw!r}: an origin is scheme://host[:port] only")
    return f"{parts.scheme}://{parts.netloc}".lower()


def shown(url: str, origins: tuple[str, ...]) -> bool:
    """True when a screen may play `url`: a path on this server, or one of `origins`."""
    try:
        url = camera_url(url)
    except ValueError:
        return False
    here = origin(url)
    return here is None or here in origins
