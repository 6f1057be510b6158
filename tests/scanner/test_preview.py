"""The MJPEG preview serves downscaled frames without the loop waiting for it."""

from __future__ import annotations

import time
import urllib.request

import cv2
import numpy as np

from scanner.preview import PreviewServer


def test_preview_serves_a_downscaled_jpeg_and_a_stream() -> None:
    preview = PreviewServer("127.0.0.1", 0, width=320, fps=50).start()
    try:
        preview.publish(np.full((720, 1280, 3), 128, np.uint8))
        with urllib.request.urlopen(f"http://127.0.0.1:{preview.port}/preview.jpg", timeout=5) as r:
            jpeg = r.read()
        image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert image.shape == (180, 320, 3)
        with urllib.request.urlopen(preview.url, timeout=5) as stream:
            assert stream.headers["Content-Type"].startswith("multipart/x-mixed-replace")
            assert stream.read(len("--kioskframe")) == b"--kioskframe"
    finally:
        preview.stop()


def test_an_odd_frame_does_not_end_the_preview() -> None:
    preview = PreviewServer("127.0.0.1", 0, width=320, fps=50).start()
    try:
        preview.publish(np.zeros((0, 0, 3), np.uint8))  # a broken frame from a driver
        time.sleep(0.2)
        preview.publish(np.full((480, 640, 3), 90, np.uint8))
        deadline = time.monotonic() + 5
        jpeg = b""
        while time.monotonic() < deadline and not jpeg:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{preview.port}/preview.jpg", timeout=5
            ) as r:
                jpeg = r.read()
            time.sleep(0.05)
        assert cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).shape[1] == 320
    finally:
        preview.stop()


def test_nothing_is_encoded_while_nobody_watches() -> None:
    preview = PreviewServer("127.0.0.1", 0, width=320, fps=50).start()
    try:
        frame = np.full((720, 1280, 3), 60, np.uint8)
        for _ in range(20):  # a second of frames from the loop at the preview's 50 fps
            preview.publish(frame)
            time.sleep(0.05)
        assert preview.encoded == 0
        with urllib.request.urlopen(preview.url, timeout=5) as stream:
            stream.read(len("--kioskframe"))
            assert preview.encoded >= 1
        deadline = time.monotonic() + 5
        while preview.viewers and time.monotonic() < deadline:
            time.sleep(0.02)  # the server notices the closed stream at its next write
        assert preview.viewers == 0
        settled = preview.encoded
        time.sleep(0.3)
        assert preview.encoded <= settled + 1  # at most the frame in hand when the viewer left
    finally:
        preview.stop()
