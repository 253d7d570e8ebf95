"""Register cameras from the server's shell; addresses are checked as on every way in.

    python -m video cameras add CAM-0100 "某化工厂大门" --owner 某化工厂 --site E0123 \
        --kind hls --url https://nvr3.example/live/7.m3u8 --lon 120.61 --lat 31.30
    python -m video cameras list
    python -m video demo [--if-missing]      (the demo's test streams: video/demo.py)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from video import demo
from video.addresses import KINDS


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m video")
    sub = parser.add_subparsers(dest="command", required=True)
    cams = sub.add_parser("cameras").add_subparsers(dest="action", required=True)
    add = cams.add_parser("add", help="add or replace one camera")
    add.add_argument("id")
    add.add_argument("name")
    add.add_argument("--owner", required=True)
    add.add_argument("--site", default=None, help="enterprise or hazard source it watches")
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument("--url", required=True)
    add.add_argument("--lon", required=True)
    add.add_argument("--lat", required=True)
    cams.add_parser("list", help="every camera")
    sub.add_parser("demo").add_argument("--if-missing", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo.main(["--if-missing"] if args.if_missing else [])

    from data_sources.cameras import Cameras
    from data_sources.warehouse import Warehouse, make_engine, upgrade
    from settings import Settings

    settings = Settings.load()
    engine = make_engine(settings.warehouse_url)
    upgrade(engine)
    cameras = Cameras(Warehouse(engine, timeout_s=settings.SQL_TIMEOUT_S))
    if args.action == "list":
        print(cameras.all().to_string(index=False))
        return 0
    row = {
        "id": args.id, "name": args.name, "owner": args.owner, "site_id": args.site,
        "kind": args.kind, "url": args.url, "lon": args.lon, "lat": args.lat,
    }  # fmt: skip
    try:
        cameras.put(row)
    except ValueError as exc:
        print(f"python -m video cameras add: {exc}", file=sys.stderr)
        return 2
    print(f"camera {args.id} registered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
