"""`python -m archiver quarantine ...`: see and re-drive what the archiver could not store.

    python -m archiver quarantine list [--source S] [--channel C] [--limit N] [--redriven]
    python -m archiver quarantine show ID
    python -m archiver quarantine redrive ID [ID ...] | --all  [--direct] [--replace-nul]
    python -m archiver quarantine import-dead

`redrive` puts an archiver entry back onto its stream (a new entry with the same fields) for
the running archiver to write, or with `--direct` (and always without REDIS_URL) writes it to
the warehouse here and now, reporting the error if it still fails. Either way the row is
marked re-driven only after that succeeded; an entry that fails again after a re-drive is
quarantined anew. `--replace-nul` stores an entry PostgreSQL refused for U+0000 (accepted
before the door rejected control characters) with U+FFFD in its place. Entries of other channels (connectors) are re-driven by the re-driver their
channel registers in `REDRIVERS`. `import-dead` moves the dead letters an older archiver left
in `se:stream:dead` (Redis only) into the quarantine table.

Quarantined text is upstream text: everything printed here has its control characters
escaped, so a raw entry cannot drive the terminal.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from data_sources import Sources, keys, quarantine

# channel -> re-driver(sources, row, direct, replace_nul) -> note; connectors add theirs.
Redriver = Callable[[Sources, dict[str, Any], bool, bool], str]
REDRIVERS: dict[str, Redriver] = {}


def printable(text: str, limit: int | None = None) -> str:
    """`text` with every non-printable character (C0, C1, bidi controls, NUL) escaped."""
    out = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
    clean = "".join(out)
    if limit is not None and len(clean) > limit:
        return clean[: limit - 1] + "…"
    return clean


def without_nul(value: Any) -> Any:
    """`value` with U+0000 replaced by U+FFFD in every text, JSON text fields included."""
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    if not isinstance(value, str):
        return value
    if value[:1] in "{[" and "\\u0000" in value:
        try:
            return json.dumps(without_nul(json.loads(value)), ensure_ascii=False)
        except ValueError:
            pass
    return value.replace("\x00", "\ufffd")


def _archiver_redrive(
    sources: Sources, row: dict[str, Any], direct: bool, replace_nul: bool
) -> str:
    from archiver import records

    entry = json.loads(row["raw"])
    stream, entry_id, fields = entry["stream"], entry["id"], entry["fields"]
    if replace_nul:
        fields = without_nul(fields)
    if direct or not sources.settings.redis_server:
        parsed = records.parse(stream, entry_id, fields)
        steps = records.merge([parsed])
        if steps:
            sources.warehouse.execute_all(steps, timeout_s=60)
        return f"written to the warehouse directly as {stream} {entry_id}"
    new_id = sources.streams.add(stream, fields)
    return f"re-enqueued onto {stream} as {new_id} (was {entry_id})"


REDRIVERS[quarantine.ARCHIVER_ALARMS] = _archiver_redrive
REDRIVERS[quarantine.ARCHIVER_READINGS] = _archiver_redrive
REDRIVERS[quarantine.ARCHIVER_TEAMS] = _archiver_redrive


def redrive(sources: Sources, qid: int, direct: bool = False, replace_nul: bool = False) -> str:
    """Re-drive quarantined entry `qid`; return what was done. Raises LookupError / ValueError
    when there is nothing to re-drive, and what the write raises when it still fails."""
    row = quarantine.get(sources.warehouse, qid)
    if row is None:
        raise LookupError(f"no quarantined entry #{qid}")
    if row["redriven_at"] is not None:
        raise ValueError(f"#{qid} was already re-driven at {row['redriven_at'].isoformat()}")
    redriver = REDRIVERS.get(row["channel"])
    if redriver is None:
        raise ValueError(f"#{qid}: no re-driver for channel {row['channel']!r}")
    note = redriver(sources, row, direct, replace_nul)
    if replace_nul:
        note += " (U+0000 replaced by U+FFFD)"
    quarantine.mark_redriven(sources.warehouse, qid, datetime.now(UTC), note=note)
    return note


def import_dead(sources: Sources) -> int:
    """Move `se:stream:dead` entries into the quarantine table; return how many moved."""
    streams, moved = sources.streams, 0
    for dead_id, dead in streams.entries(keys.DEAD_STREAM):
        stream, entry_id = dead.get("stream", "?"), dead.get("id", dead_id)
        try:
            fields = json.loads(dead.get("fields") or "{}")
        except ValueError:
            fields = {"unparsed": dead.get("fields", "")}
        from archiver.quarantining import QUARANTINE_CHANNELS, entry_source, raw_entry

        quarantine.put(
            sources.warehouse,
            source=entry_source(fields) if isinstance(fields, dict) else None,
            channel=QUARANTINE_CHANNELS.get(stream, stream),
            raw=raw_entry(stream, entry_id, fields if isinstance(fields, dict) else {}),
            error=f"{dead.get('error', '')} (moved from {keys.DEAD_STREAM})",
            at=datetime.fromtimestamp(int(dead_id.split("-")[0]) / 1000, UTC),
            ref=entry_id,
        )
        streams.delete(keys.DEAD_STREAM, dead_id)  # only once its row committed
        moved += 1
    return moved


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m archiver quarantine")
    sub = parser.add_subparsers(dest="command", required=True)
    ls = sub.add_parser("list", help="quarantined entries, newest first")
    ls.add_argument("--source")
    ls.add_argument("--channel")
    ls.add_argument("--limit", type=int, default=100)
    ls.add_argument("--redriven", action="store_true", help="include re-driven entries")
    show = sub.add_parser("show", help="one entry in full")
    show.add_argument("id", type=int)
    rd = sub.add_parser("redrive", help="re-drive entries after a fix")
    rd.add_argument("ids", type=int, nargs="*")
    rd.add_argument("--all", action="store_true", help="every entry not yet re-driven")
    rd.add_argument("--direct", action="store_true", help="write to the warehouse here and now")
    rd.add_argument(
        "--replace-nul",
        action="store_true",
        help="replace U+0000 (which PostgreSQL text cannot hold) by U+FFFD first",
    )
    sub.add_parser("import-dead", help=f"move {keys.DEAD_STREAM} into the quarantine table")
    return parser


def main(argv: list[str], sources: Sources, out=sys.stdout) -> int:  # noqa: ANN001
    """Run one quarantine command; return the exit status."""
    args = _parser().parse_args(argv)
    wh = sources.warehouse
    if args.command == "list":
        rows = quarantine.list(
            wh,
            source=args.source,
            channel=args.channel,
            limit=args.limit,
            include_redriven=args.redriven,
        )
        for row in rows:
            state = "re-driven" if row["redriven_at"] else "held"
            print(
                f"#{row['id']}\t{row['at'].isoformat()}\t{printable(row['channel'])}\t"
                f"{printable(row['source'] or '-')}\t{printable(row['ref'] or '-')}\t{state}\t"
                f"{printable(row['error'], 120)}\t{printable(row['raw'], 200)}",
                file=out,
            )
        print(f"{len(rows)} quarantined entries", file=out)
        return 0
    if args.command == "show":
        row = quarantine.get(wh, args.id)
        if row is None:
            print(f"no quarantined entry #{args.id}", file=sys.stderr)
            return 1
        for name in ("id", "at", "channel", "source", "ref", "error", "redriven_at"):
            value = row[name]
            value = value.isoformat() if isinstance(value, datetime) else value
            print(f"{name}: {printable(str(value)) if value is not None else '-'}", file=out)
        if row["redriven_note"]:
            print(f"redriven_note: {printable(row['redriven_note'])}", file=out)
        print(f"raw ({row['raw_encoding']}, {len(row['raw_bytes'])} bytes):", file=out)
        print(printable(row["raw"]), file=out)
        return 0
    if args.command == "import-dead":
        print(f"{import_dead(sources)} dead letters moved to the quarantine table", file=out)
        return 0
    ids = args.ids
    if args.all == bool(ids):
        print("redrive: give entry ids or --all (not both)", file=sys.stderr)
        return 2
    if args.all:
        ids = [r["id"] for r in quarantine.list(wh, limit=1_000_000)][::-1]
    status = 0
    for qid in ids:
        try:
            note = redrive(sources, qid, direct=args.direct, replace_nul=args.replace_nul)
        except Exception as exc:  # noqa: BLE001 - report each entry, go on with the next
            status = 1
            print(f"#{qid}: not re-driven: {printable(str(exc), 500)}", file=out)
            continue
        print(f"#{qid}: {printable(note)}", file=out)
    return status
