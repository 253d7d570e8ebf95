"""The demo's own camera streams: a looping HLS clip and an MJPEG stream, made by ffmpeg.

    python -m video.demo [--if-missing]     (`make run` does this after the reference build)

writes DATA_DIR/demo-video/: `hls/index.m3u8` and its segments (20 s of ffmpeg's test picture
with a running clock, H.264 baseline in MPEG-TS, 2 s segments) and `mjpeg/frame-NNN.jpg`
(100 frames at 5 fps). Without ffmpeg it writes nothing and says so; the demo's camera tiles
then say 演示视频未生成. The app serves these under /demo-video/ only while the demo feed
(DEMO_FEED) is on: the MJPEG stream as multipart/x-mixed-replace, the frames in a loop.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

DEMO_PREFIX = "/demo-video/"
DEMO_HLS = "/demo-video/hls/index.m3u8"
DEMO_MJPEG = "/demo-video/mjpeg"
FOLDER = "demo-video"
MJPEG_FPS = 5
BOUNDARY = "frame"
# A viewer of the looping demo MJPEG is dropped after this long (it reconnects by itself).
MJPEG_MAX_S = 600


def folder(data_dir: str | Path) -> Path:
    return Path(data_dir) / FOLDER


def available(data_dir: str | Path) -> bool:
    """True when both demo streams have been made."""
    root = folder(data_dir)
    return (root / "hls" / "index.m3u8").is_file() and any((root / "mjpeg").glob("frame-*.jpg"))


def make(data_dir: str | Path, ffmpeg: str | None = None) -> bool:
    """Make both streams with ffmpeg; False (and nothing written) when there is no ffmpeg."""
    ffmpeg = ffmpeg or shutil.which("ffmpeg")
    if not ffmpeg:
        return False
    root = folder(data_dir)
    work = root.with_name(FOLDER + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    (work / "hls").mkdir(parents=True)
    (work / "mjpeg").mkdir()
    picture = ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=20"]
    run = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run(
        [*run, *picture, "-c:v", "libx264", "-profile:v", "baseline", "-pix_fmt", "yuv420p",
         "-g", "50", "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod",
         "-hls_segment_filename", str(work / "hls" / "seg-%03d.ts"),
         str(work / "hls" / "index.m3u8")],
        check=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    subprocess.run(
        [*run, *picture, "-vf", f"fps={MJPEG_FPS}", "-q:v", "6",
         str(work / "mjpeg" / "frame-%03d.jpg")],
        check=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    shutil.rmtree(root, ignore_errors=True)
    work.rename(root)
    return True


def mjpeg_frames(data_dir: str | Path, max_s: float = MJPEG_MAX_S) -> Iterator[bytes]:
    """The demo frames as one multipart/x-mixed-replace body, looping, at MJPEG_FPS."""
    frames = [p.read_bytes() for p in sorted((folder(data_dir) / "mjpeg").glob("frame-*.jpg"))]
    started = time.monotonic()
    while frames and time.monotonic() - started < max_s:
        for frame in frames:
            yield (
                (
                    f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                    f"Content-Length: {len(frame)}\r\n\r\n"
                ).encode()
                + frame
                + b"\r\n"
            )
            time.sleep(1 / MJPEG_FPS)


def init_app(server, settings) -> None:  # noqa: ANN001
    """Serve the demo streams under /demo-video/ while the demo feed is on."""
    if not settings.DEMO_FEED:
        return
    from flask import Response, abort, send_from_directory

    data_dir = settings.DATA_DIR

    # Guarded as a session path (auth/matrix.py SESSION_PREFIXES): "view", displays too.
    @server.get("/demo-video/hls/<path:name>", endpoint="demo_video_hls")
    def demo_hls(name: str) -> Response:
        if not (name == "index.m3u8" or (name.startswith("seg-") and name.endswith(".ts"))):
            abort(404)
        return send_from_directory(folder(data_dir) / "hls", name, max_age=0)

    @server.get(DEMO_MJPEG, endpoint="demo_video_mjpeg")
    def demo_mjpeg() -> Response:
        if not available(data_dir):
            abort(404)
        return Response(
            mjpeg_frames(data_dir),
            mimetype=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )


def main(argv: Sequence[str] | None = None) -> int:
    from settings import Settings

    parser = argparse.ArgumentParser(
        prog="python -m video.demo", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--if-missing", action="store_true", help="do nothing when the streams are there"
    )
    args = parser.parse_args(argv)
    data_dir = Settings.load().DATA_DIR
    if args.if_missing and available(data_dir):
        print(f"video.demo: demo streams already in {folder(data_dir)}")
        return 0
    if not make(data_dir):
        print(
            "video.demo: no ffmpeg on PATH: the demo cameras will say 演示视频未生成 "
            "(install it with: sudo apt-get install ffmpeg)",
            file=sys.stderr,
        )
        return 0
    print(f"video.demo: demo streams written to {folder(data_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
