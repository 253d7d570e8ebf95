"""`python -m auth ...`: people, displays and the audit log from the server's shell.

The warehouse comes from the environment (WAREHOUSE_URL, else the embedded SQLite file),
like the app's. Every change is audited as done by `cli:<os user>`.

  python -m auth create-user wang --role duty_officer --name 王值班   (asks for the password)
  python -m auth create-user li --role admin --generate                (prints a new password)
  python -m auth reset-password wang [--generate | --password-stdin]
  python -m auth set-role wang leader | disable wang | enable wang
  python -m auth unblock wang | unblock 10.1.1.20          (lift a login back-off)
  python -m auth list-users
  python -m auth issue-display "指挥大厅主屏" [--hours 24]              (prints the code once)
  python -m auth list-displays | revoke-display d-1a2b3c4d
  python -m auth audit [--limit 50] [--action login]
  python -m auth docs                                                  (rewrites docs/access.md)
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence

from auth import accounts, passwords, store
from auth.matrix import PEOPLE_ROLES
from auth.sessions import utcnow


def _warehouse():  # noqa: ANN202
    from data_sources.warehouse import Warehouse, make_engine, upgrade
    from settings import Settings

    settings = Settings.load()
    engine = make_engine(settings.warehouse_url)
    upgrade(engine)
    return Warehouse(engine, timeout_s=settings.SQL_TIMEOUT_S)


def _actor() -> accounts.Actor:
    return accounts.Actor(f"cli:{getpass.getuser()}", "admin", "local")


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, generated?) from --generate, --password-stdin or two prompts."""
    if args.generate:
        return passwords.generate(), True
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    first = getpass.getpass("密码 / password: ")
    if getpass.getpass("再输一次 / again: ") != first:
        raise accounts.AccountError("两次输入不一致 / the two entries differ")
    return first, False


def _table(rows: list[dict], columns: Sequence[str]) -> None:
    print("\t".join(columns))
    for row in rows:
        print("\t".join("" if row.get(c) is None else str(row.get(c)) for c in columns))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m auth", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("create-user", "reset-password"):
        c = sub.add_parser(name)
        c.add_argument("username")
        if name == "create-user":
            c.add_argument("--role", required=True, choices=PEOPLE_ROLES)
            c.add_argument("--name", default="", help="the person's name as shown")
        how = c.add_mutually_exclusive_group()
        how.add_argument("--generate", action="store_true", help="make and print a password")
        how.add_argument("--password-stdin", action="store_true", help="read it from stdin")
    c = sub.add_parser("set-role")
    c.add_argument("username")
    c.add_argument("role", choices=PEOPLE_ROLES)
    for name in ("disable", "enable"):
        sub.add_parser(name).add_argument("username")
    sub.add_parser("unblock").add_argument("username", help="a user name or a client address")
    sub.add_parser("list-users")
    c = sub.add_parser("issue-display")
    c.add_argument("name", help="where the display hangs, e.g. 指挥大厅主屏")
    c.add_argument("--hours", type=float, default=accounts.TOKEN_HOURS)
    sub.add_parser("list-displays")
    sub.add_parser("revoke-display").add_argument("display_id")
    c = sub.add_parser("audit")
    c.add_argument("--limit", type=int, default=50)
    c.add_argument("--action")
    sub.add_parser("docs", help="rewrite the generated tables of docs/access.md")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "docs":
        from auth import docs

        print("docs/access.md " + ("updated" if docs.write() else "already current"))
        return 0
    wh, actor, now = _warehouse(), _actor(), utcnow()
    try:
        if args.command == "create-user":
            password, generated = _password(args)
            accounts.create_user(wh, actor, args.username, args.name, args.role, password, now)
            print(f"created {accounts.normalise_username(args.username)} ({args.role})")
            if generated:
                print(f"password: {password}")
        elif args.command == "reset-password":
            password, generated = _password(args)
            accounts.reset_password(wh, actor, args.username, password, now)
            print("password changed; the user's sessions are ended")
            if generated:
                print(f"password: {password}")
        elif args.command == "set-role":
            accounts.set_role(wh, actor, args.username, args.role, now)
        elif args.command in ("disable", "enable"):
            accounts.set_active(wh, actor, args.username, args.command == "enable", now)
        elif args.command == "unblock":
            print(f"cleared {accounts.unblock(wh, actor, args.username, now)} back-off key(s)")
        elif args.command == "list-users":
            _table(
                store.list_users(wh),
                ("username", "display_name", "role", "active", "last_login_at"),
            )
        elif args.command == "issue-display":
            display_id, token = accounts.issue_display(wh, actor, args.name, now, args.hours)
            print(f"display {display_id} ({args.name}): open /enrol on it and type this code")
            print(f"(shown this once, valid {args.hours:g} h):\n\n    {token}\n")
        elif args.command == "list-displays":
            _table(
                store.list_displays(wh),
                (
                    "id",
                    "name",
                    "created_at",
                    "token_expires_at",
                    "enrolled_at",
                    "enrolled_from",
                    "revoked_at",
                ),
            )
        elif args.command == "revoke-display":
            accounts.revoke_display(wh, actor, args.display_id, now)
            print(f"revoked {args.display_id}: it gets the sign-in page on its next request")
        elif args.command == "audit":
            for row in reversed(store.recent_audit(wh, args.limit, args.action)):
                row["detail"] = json.loads(row["detail"] or "{}")
                print(json.dumps(row, ensure_ascii=False, default=str))
    except accounts.AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        wh.engine.dispose()
    return 0
