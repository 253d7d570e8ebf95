"""`python -m ingest systems ...`: the registry of upstream systems and their tokens.

The warehouse (and the shared cache, so that a revocation lands at once) come from the
environment, like the app's. Every change is audited as done by `cli:<os user>`.

  python -m ingest systems list
  python -m ingest systems show hazchem                     (the system and its tokens)
  python -m ingest systems add water 水务局排水系统 --sends alarms,readings,heartbeats \\
      --heartbeat-s 60 --data-s 300 --connector http --contact "张工 0512-6500xxxx"
  python -m ingest systems disable water | enable water
  python -m ingest systems token hazchem [--label 生产环境]   (prints a new token once)
  python -m ingest systems rotate hazchem [--label ...]     (new token; the others revoked)
  python -m ingest systems revoke 12                        (a token, by id)
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from typing import Any

from data_sources.systems import CONNECTORS, KINDS, RegistryError, Systems


def _systems() -> Systems:
    from flask import Flask

    from data_sources import build_sources
    from settings import Settings

    # A throwaway Flask app only to build the same cache the app uses (Redis when set).
    return build_sources(Settings.load(), Flask("ingest-cli")).systems


def _audit(systems: Systems, action: str, **detail: Any) -> None:
    from auth import trail
    from auth.sessions import utcnow

    trail.write(
        systems.wh,
        action,
        "ok",
        actor=f"cli:{getpass.getuser()}",
        role="admin",
        address="local",
        detail=detail,
        at=utcnow(),
    )


def _list(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(",") if p.strip()]


def _print_system(system: dict[str, Any]) -> None:
    for key, value in system.items():
        if isinstance(value, tuple):
            value = ",".join(value)
        elif isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False)
        print(f"{key}\t{value}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest")
    top = parser.add_subparsers(dest="area", required=True)
    systems = top.add_parser("systems", help="upstream systems and their tokens")
    sub = systems.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every registered system")
    show = sub.add_parser("show", help="one system and its tokens (never the tokens' values)")
    show.add_argument("code")
    add = sub.add_parser("add", help="register a system")
    add.add_argument("code", help="the `source` it will post as (a-z, 0-9, _)")
    add.add_argument("name", help="its Chinese name, as screens show it")
    add.add_argument("--name-en", default="")
    add.add_argument("--kind", default="business", choices=KINDS)
    add.add_argument(
        "--sends", default="alarms,heartbeats", help="alarms,readings,incidents,heartbeats"
    )
    add.add_argument("--heartbeat-s", type=int, default=30, help="expected heartbeat period (s)")
    add.add_argument("--data-s", type=int, default=300, help="expected data period (s)")
    add.add_argument("--contact", default="")
    add.add_argument("--connector", default="http", choices=CONNECTORS)
    add.add_argument("--connector-settings", default="{}", help="JSON object")
    add.add_argument(
        "--may-transition",
        default="",
        help="systems whose alarms it may ack/close, comma-separated",
    )
    for name in ("disable", "enable"):
        sub.add_parser(name, help=f"{name} a system").add_argument("code")
    for name, text in (("token", "issue a new token"), ("rotate", "new token, revoke the others")):
        cmd = sub.add_parser(name, help=f"{text} (printed once)")
        cmd.add_argument("code")
        cmd.add_argument("--label", default="")
    revoke = sub.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("token_id", type=int)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    systems = _systems()
    try:
        return _run(systems, args)
    except RegistryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(systems: Systems, args: argparse.Namespace) -> int:
    if args.command == "list":
        frame = systems.all()
        print("code\tname\tsends\theartbeat_s\tdata_s\tconnector\tenabled")
        for row in frame.itertuples(index=False):
            print(
                f"{row.code}\t{row.name}\t{','.join(row.sends)}\t{row.heartbeat_s}\t{row.data_s}"
                f"\t{row.connector}\t{'yes' if row.enabled else 'no'}"
            )
        return 0
    if args.command == "show":
        system = systems.get(args.code)
        if system is None:
            raise RegistryError(f"system: no system {args.code!r} is registered")
        _print_system(system)
        print("\ntoken id\tlabel\tcreated_at\trevoked_at")
        for row in systems.tokens(args.code).itertuples(index=False):
            revoked = "" if row.revoked_at != row.revoked_at else row.revoked_at  # NaT
            print(f"{row.id}\t{row.label}\t{row.created_at}\t{revoked}")
        return 0
    if args.command == "add":
        try:
            settings = json.loads(args.connector_settings)
        except ValueError as exc:
            raise RegistryError(f"connector_settings: not JSON ({exc})") from None
        systems.add(
            args.code,
            args.name,
            name_en=args.name_en,
            kind=args.kind,
            sends=_list(args.sends),
            heartbeat_s=args.heartbeat_s,
            data_s=args.data_s,
            contact=args.contact,
            connector=args.connector,
            connector_settings=settings,
            may_transition=_list(args.may_transition),
        )
        _audit(systems, "system_add", code=args.code)
        print(
            f"registered {args.code}; issue it a token: python -m ingest systems token {args.code}"
        )
        return 0
    if args.command in ("disable", "enable"):
        systems.set_enabled(args.code, args.command == "enable")
        _audit(systems, f"system_{args.command}", code=args.code)
        print(f"{args.code} {args.command}d")
        return 0
    if args.command in ("token", "rotate"):
        token_id, token = systems.issue_token(
            args.code, args.label, rotate=args.command == "rotate"
        )
        _audit(systems, f"token_{'rotate' if args.command == 'rotate' else 'issue'}",
               code=args.code, token_id=token_id)  # fmt: skip
        print(f"token {token_id} for {args.code} (shown once; store it in the system's config):")
        print(token)
        return 0
    if args.command == "revoke":
        if not systems.revoke(args.token_id):
            raise RegistryError(f"token_id: no live token {args.token_id}")
        _audit(systems, "token_revoke", token_id=args.token_id)
        print(f"token {args.token_id} revoked")
        return 0
    raise AssertionError(args.command)
