"""A small MJPEG preview of the camera for the welcome screen (``/preview.mjpg``).

The scan loop only hands over a reference to its newest frame (:meth:`PreviewServer.publish`,
an attribute store); a separate thread downscales and JPEG-encodes it about ten times a second,
and only while someone watches the stream: with no viewer that thread sleeps and encodes
nothing, and ``/preview.jpg`` encodes its one frame when asked. Decoding therefore never waits
for the preview. The page mirrors the image with CSS and draws the framing guide itself.
"""

from __future__ import annotations

import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np

log = logging.getLogger(__name__)

BOUNDARY = "kioskframe"


class PreviewServer:
    """Serves ``/preview.mjpg`` (a stream) and ``/preview.jpg`` (one frame) on ``host:port``."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 8081, width: int = 320, fps: float = 10.0
    ) -> None:
        self.width = width
        self.fps = fps
        self.viewers = 0
        self.encoded = 0  # frames JPEG-encoded so far: zero for as long as nobody watches
        self._watched = threading.Event()
        self._latest: np.ndarray | None = None
        self._jpeg: bytes | None = None
        self._seq = 0
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://{host}:{self.port}/preview.mjpg"
        self._threads: list[threading.Thread] = []

    def publish(self, frame: np.ndarray) -> None:
        """Offer the newest frame; O(1), no copy (the loop never modifies frames it has read)."""
        self._latest = frame

    def start(self) -> PreviewServer:
        """Start serving and encoding, each in its own daemon thread."""
        for target, name in (
            (self._httpd.serve_forever, "preview-http"),
            (self._encode, "preview"),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("camera preview on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop both threads and close the socket."""
        self._stop.set()
        self._watched.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._cond:
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(5)

    def watch(self, delta: int) -> None:
        """Count a stream viewer arriving (+1) or leaving (-1); the encoder runs while any watch."""
        with self._cond:
            self.viewers += delta
            if self.viewers > 0:
                self._watched.set()
            else:
                self._watched.clear()

    def snapshot(self) -> bytes | None:
        """The newest frame as JPEG, encoded now; ``None`` when there is none or it is broken."""
        frame = self._latest
        if frame is None:
            return None
        try:
            jpeg = encode_jpeg(frame, self.width)
        except Exception:
            log.exception("the preview could not encode a frame")
            return None
        self.encoded += 1
        return jpeg or None

    def _encode(self) -> None:
        interval = 1.0 / self.fps
        while not self._stop.is_set():
            self._watched.wait()  # nobody watching: sleep here, encode nothing
            started = time.monotonic()
            frame = self._latest
            if frame is not None and self.viewers and not self._stop.is_set():
                try:
                    jpeg = encode_jpeg(frame, self.width)
                except Exception:
                    log.exception("the preview could not encode a frame; skipping it")
                    self._latest = None
                    continue
                self.encoded += 1
                with self._cond:
                    self._jpeg = jpeg
                    self._seq += 1
                    self._cond.notify_all()
            self._stop.wait(max(0.0, interval - (time.monotonic() - started)))

    def next_jpeg(self, after: int, timeout: float = 2.0) -> tuple[int, bytes | None]:
        """Wait for a frame newer than sequence number ``after``."""
        with self._cond:
            self._cond.wait_for(lambda: self._seq > after or self._stop.is_set(), timeout)
            return self._seq, self._jpeg


def encode_jpeg(frame: np.ndarray, width: int) -> bytes:
    """Downscale ``frame`` to ``width`` pixels wide and encode it as JPEG."""
    h, w = frame.shape[:2]
    if w > width:
        frame = cv2.resize(frame, (width, max(1, h * width // w)), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 70])
    return data.tobytes() if ok else b""


def _handler_for(server: PreviewServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            log.debug("preview: " + format, *args)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/preview.jpg":
                jpeg = server.snapshot()
                if not jpeg:
                    self.send_error(503, "no frame yet")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(jpeg)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(jpeg)
            elif path == "/preview.mjpg":
                self._stream()
            else:
                self.send_error(404)

        def _stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            server.watch(+1)
            seq = 0
            try:
                while not server._stop.is_set():
                    seq, jpeg = server.next_jpeg(seq)
                    if not jpeg:
                        continue
                    head = (
                        f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                        f"Content-Length: {len(jpeg)}\r\n\r\n"
                    ).encode("ascii")
                    self.wfile.write(head + jpeg + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the kiosk page went away; that is normal
            finally:
                server.watch(-1)

    return Handler
