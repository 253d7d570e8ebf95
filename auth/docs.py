"""docs/access.md's tables, generated from auth/matrix.py and the callbacks' own declarations
(`python -m auth docs` rewrites them; a test fails when the file and they disagree)."""

from __future__ import annotations

from pathlib import Path

from auth import matrix

DOC = Path(__file__).resolve().parent.parent / "docs" / "access.md"
BEGIN = "<!-- BEGIN GENERATED: python -m auth docs -->"
END = "<!-- END GENERATED -->"
COLUMNS = ("anonymous", "display", "viewer", "duty_officer", "leader", "admin")
YES, NO = "✓", "—"


def _head(first: str) -> list[str]:
    names = [f"{matrix.ROLE_NAMES[c][0]} {c}" for c in COLUMNS]
    return [f"| {first} | " + " | ".join(names) + " |", "|---" * (len(COLUMNS) + 1) + "|"]


def _row(label: str, cells: list[str]) -> str:
    return f"| {label} | " + " | ".join(cells) + " |"


def _permission_cells(permission: str, anonymous: str = NO) -> list[str]:
    return [anonymous] + [YES if matrix.allowed(r, permission) else NO for r in COLUMNS[1:]]


def _callbacks() -> list[tuple[str, str]]:
    """(where, permission) of every server callback, as declared (callbacks.guarded)."""
    import callbacks

    rows = {(d.where, d.permission) for d in callbacks.load() if d.function is not None}
    return sorted(rows | {("dash pages routing (and the page table)", "view")})


def render() -> str:
    out = ["### Roles and permissions", ""]
    out += _head("permission")
    for name, what in matrix.PERMISSIONS.items():
        out.append(_row(f"`{name}`: {what}", _permission_cells(name)))
    out += ["", "### Pages (a full page load)", ""]
    out += _head("page")
    for p in matrix.PAGES:
        cells = ["→ /login"]
        for role in COLUMNS[1:]:
            ok = matrix.allowed(role, p.permission) and (role != "display" or p.display)
            cells.append(YES if ok else "403")
        out.append(_row(f"`{p.path}` {p.name}", cells))
    out += ["", "### Dash callbacks (`POST /_dash-update-component`), as each declares", ""]
    out += _head("callback (permission)")
    for where, permission in _callbacks():
        cells = ["401"] + [YES if matrix.allowed(r, permission) else "403" for r in COLUMNS[1:]]
        out.append(_row(f"`{where}` (`{permission}`)", cells))
    out.append(
        _row("any callback that declares no permission", ["401"] + ["403"] * (len(COLUMNS) - 1))
    )
    out += ["", "### Dash endpoints, static files, operations", ""]
    out += _head("path")
    for path in matrix.DASH_ENDPOINTS:
        out.append(_row(f"`{path}`", ["401"] + [YES] * (len(COLUMNS) - 1)))
    for path in (*matrix.STATIC, "/healthz", "/version", "/login", "/enrol", "/logout"):
        out.append(_row(f"`{path}`", [YES] * len(COLUMNS)))
    for path in sorted(matrix.LOOPBACK_PATHS):
        out.append(_row(f"`{path}`", ["loopback only"] + [YES] * (len(COLUMNS) - 1)))
    out.append(_row("`/auth/ping` (activity)", ["401"] + [YES] * (len(COLUMNS) - 1)))
    out.append(_row("`/push/events` (push stream)", ["401"] + [YES] * (len(COLUMNS) - 1)))
    out.append(_row("`/tiles/…` (`TILE_FILE`'s tiles)", ["401"] + [YES] * (len(COLUMNS) - 1)))
    out.append(_row("`/demo-video/…` (demo camera streams)", ["401"] + [YES] * (len(COLUMNS) - 1)))
    out += ["", "### Ingest API (bearer token; a session of any role opens nothing here)", ""]
    out += ["| call | with an `INGEST_TOKENS` token | without (any session or none) |"]
    out += ["|---|---|---|"]
    for method, path in matrix.API_CALLS:
        out.append(f"| `{method} {path}` | {YES} | 401 |")
    for method, path in matrix.API_OPEN:
        out.append(f"| `{method} {path}` | {YES} | {YES} |")
    return "\n".join(out) + "\n"


def updated(text: str) -> str:
    """`text` with the generated part replaced by the current matrix."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{render()}{END}{tail}"


def write() -> bool:
    """Rewrite docs/access.md's tables; True when something changed."""
    text = DOC.read_text(encoding="utf-8")
    new = updated(text)
    if new != text:
        DOC.write_text(new, encoding="utf-8")
    return new != text
