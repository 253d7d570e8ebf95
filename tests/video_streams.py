"""Camera streams of a test's own, made by Debian's ffmpeg and served from loopback.

`HlsCamera` is a live HLS stream (H.264 in MPEG-TS, 1 s segments, a sliding playlist) as an
intranet camera or its gateway serves it; `MjpegCamera` is a multipart/x-mixed-replace JPEG
stream, one ffmpeg per viewer. `stop()` kills the encoder and the HTTP server (the camera goes
dark: connections refused); `start()` brings it back on the same port.

The ways an MJPEG camera fails while it still answers: `freeze()` holds every viewer's
connection open and sends nothing more (a hung encoder), `repeat()` sends the last picture
again and again (a gateway that keeps its last frame), `resume()` sends the live picture again.
`MjpegCamera(cors=False)` answers without CORS, as many cameras do.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FFMPEG = shutil.which("ffmpeg")
# A moving test picture with a running clock: each frame differs from the last.
SOURCE = ["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=10"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True


class _Camera:
    def __init__(self) -> None:
        self.port = _free_port()
        self.server: _Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self, handler) -> None:  # noqa: ANN001
        self.server = _Server(("127.0.0.1", self.port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _unserve(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *_args) -> None:  # noqa: ANN002
        pass

    def end_headers(self) -> None:
        # hls.js fetches the playlist and segments from the page's origin: CORS, as a real
        # camera gateway must answer too.
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


class HlsCamera(_Camera):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="hls-camera-"))
        self.encoder: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"{self.origin}/live/index.m3u8"

    def start(self) -> None:
        live = self.dir / "live"
        shutil.rmtree(live, ignore_errors=True)
        live.mkdir(parents=True)
        # Baseline H.264 (what most IP cameras send), a key frame each second.
        self.encoder = subprocess.Popen(
            [FFMPEG, "-hide_banner", "-loglevel", "error", "-re", *SOURCE,
             "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
             "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-g", "10",
             "-f", "hls", "-hls_time", "1", "-hls_list_size", "4",
             "-hls_flags", "delete_segments+omit_endlist", str(live / "index.m3u8")],
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        self._serve(partial(_Quiet, directory=str(self.dir)))

    def ready(self) -> bool:
        playlist = self.dir / "live" / "index.m3u8"
        return playlist.exists() and playlist.read_text().count("#EXTINF") >= 2

    def stop(self) -> None:
        self._unserve()
        if self.encoder is not None:
            self.encoder.kill()
            self.encoder.wait()
            self.encoder = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class _Mjpeg(_Quiet):
    camera: MjpegCamera

    def end_headers(self) -> None:
        if self.camera.cors:
            super().end_headers()
        else:
            self.send_header("Cache-Control", "no-cache")
            SimpleHTTPRequestHandler.end_headers(self)

    def do_GET(self) -> None:  # noqa: N802
        encoder = subprocess.Popen(
            [FFMPEG, "-hide_banner", "-loglevel", "error", "-re", *SOURCE,
             "-q:v", "5", "-f", "mpjpeg", "-boundary_tag", "frame", "-"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        )  # fmt: skip
        self.camera.encoders.append(encoder)
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace;boundary=frame")
        self.end_headers()
        parts = _Parts()
        try:
            while chunk := encoder.stdout.read1(65536):
                if self.camera.mode == "live":
                    self.wfile.write(chunk)
                    parts.feed(chunk)
                elif self.camera.mode == "repeat" and parts.last:
                    self.wfile.write(parts.last)
        except OSError:
            pass  # the viewer went away, or the camera was stopped
        finally:
            encoder.kill()
            encoder.wait()
            encoder.stdout.close()


class _Parts:
    """The last whole part of ffmpeg's mpjpeg output (boundary line, headers, JPEG)."""

    MARK = b"--frame\r\n"

    def __init__(self) -> None:
        self.pending = b""
        self.last = b""

    def feed(self, chunk: bytes) -> None:
        self.pending += chunk
        while (end := self.pending.find(self.MARK, 1)) > 0:
            self.last, self.pending = self.pending[:end], self.pending[end:]


class MjpegCamera(_Camera):
    def __init__(self, cors: bool = True) -> None:
        super().__init__()
        self.cors = cors
        self.mode = "live"  # or "frozen", "repeat"
        self.encoders: list[subprocess.Popen] = []

    def freeze(self) -> None:
        self.mode = "frozen"

    def repeat(self) -> None:
        self.mode = "repeat"

    def resume(self) -> None:
        self.mode = "live"

    @property
    def url(self) -> str:
        return f"{self.origin}/video.mjpg"

    def start(self) -> None:
        handler = type("Handler", (_Mjpeg,), {"camera": self})
        self._serve(handler)

    def stop(self) -> None:
        self._unserve()
        # Cut the streams being served: the viewer sees its connection end.
        for encoder in self.encoders:
            with contextlib.suppress(OSError):
                encoder.kill()
        self.encoders.clear()

    def close(self) -> None:
        self.stop()
