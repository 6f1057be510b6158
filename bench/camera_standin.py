"""A 720p MJPG webcam stand-in, and the scanner process that runs the real loop on it.

The machine has no camera, so this fakes only the device, at the very edge: everything from
``CaptureSource`` on (throttling, change detection, decoding, debouncing, delivery, heartbeats,
the preview server) is the production code.

As a script it is the scanner of ``bench/pi.py``:

    python bench/camera_standin.py CLIPS_DIR --server URL --token TOKEN

It shows the empty doorway of ``CLIPS_DIR/doorway/*.jpg``; for each number ``N`` read on stdin
it plays ``CLIPS_DIR/card-N/*.jpg`` (a card sliding in and held) and prints
``entered N <monotonic seconds>``, the arrival time of the first frame showing the card, then
``answered <monotonic seconds>`` when the server has answered the scan it posted.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import threading
import time
from collections import deque
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.sources import CaptureSource  # noqa: E402


def to_jpeg(frame: np.ndarray, quality: int = 80) -> np.ndarray:
    """``frame`` compressed as a webcam's MJPG stream would carry it."""
    return cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])[1]


class MjpegCapture:
    """A 720p MJPG webcam stand-in with ``cv2.VideoCapture``'s grab/retrieve/release.

    Frame ``k`` arrives at ``start + k / fps`` whether or not anyone reads it; ``grab()`` waits
    for the next one (or takes the newest at once when the reader is late, as a driver with one
    buffer does) and ``retrieve()`` JPEG-decodes it. ``loop`` repeats the frames until
    ``seconds`` have passed.
    """

    def __init__(
        self, jpegs: list[np.ndarray], fps: float = 30.0, loop: bool = False, seconds: float = 0
    ) -> None:
        self.jpegs, self.fps, self.loop, self.seconds = jpegs, fps, loop, seconds
        self.start = time.monotonic()
        self.index = -1
        self.done = False

    def arrival(self, index: int) -> float:
        """When frame ``index`` reached the driver."""
        return self.start + index / self.fps

    def grab(self) -> bool:
        now = time.monotonic()
        if self.loop and now - self.start >= self.seconds:
            self.done = True
        newest = math.floor((now - self.start) * self.fps)
        wanted = max(self.index + 1, newest)
        if not self.loop and wanted >= len(self.jpegs):
            self.done = True
        if self.done:
            return False
        due = self.arrival(wanted)
        if due > now:
            time.sleep(due - now)
        self.index = wanted
        return True

    def retrieve(self) -> tuple[bool, np.ndarray]:
        return True, cv2.imdecode(self.jpegs[self.index % len(self.jpegs)], cv2.IMREAD_COLOR)

    def release(self) -> None:
        """Nothing to release."""


class FiniteCapture(CaptureSource):
    """A capture source that ends with its stand-in capture (a real camera never ends)."""

    def read(self) -> np.ndarray | None:
        frame = super().read()
        if frame is None and self._capture.done:
            self.exhausted = True
        return frame


def doorway_jpegs(count: int = 30, seed: int = 11) -> list[np.ndarray]:
    """An empty 720p doorway as MJPG, each frame with its own sensor grain."""
    from scanner import synthetic  # rendering only: kept out of the scanner process's memory

    rng = np.random.default_rng(seed)
    scene = synthetic.background(1280, 720, rng)
    return [to_jpeg(synthetic.camera_noise(scene, rng)) for _ in range(count)]


class TriggeredCamera(MjpegCapture):
    """The doorway in real time at 30 fps; a card clip from disk each time one is asked for.

    The clips are JPEG files read as each frame arrives (as bytes come from a driver), so a
    clip costs the scanner process no memory while it waits.
    """

    def __init__(self, folder: Path, fps: float = 30.0) -> None:
        doorway = [np.fromfile(p, np.uint8) for p in sorted((folder / "doorway").glob("*.jpg"))]
        super().__init__(doorway, fps, loop=True, seconds=math.inf)
        self.folder = folder
        self.queue: deque[int] = deque()
        self.playing: list[Path] = []
        self.current: np.ndarray | None = None
        self.lock = threading.Lock()

    def show(self, number: int) -> None:
        """Play card clip ``number`` from the next frame on."""
        with self.lock:
            self.queue.append(number)

    def grab(self) -> bool:
        if not super().grab():
            return False
        with self.lock:
            if not self.playing and self.queue:
                number = self.queue.popleft()
                self.playing = sorted((self.folder / f"card-{number}").glob("*.jpg"))
                print(f"entered {number} {self.arrival(self.index):.6f}", flush=True)
            path = self.playing.pop(0) if self.playing else None
        self.current = np.fromfile(path, np.uint8) if path else None
        return True

    def retrieve(self) -> tuple[bool, np.ndarray]:
        if self.current is None:
            return super().retrieve()
        return True, cv2.imdecode(self.current, cv2.IMREAD_COLOR)


def write_clips(folder: Path, tokens: list[str], seed: int = 19) -> None:
    """Render the doorway and one clip per token (card sliding in, held 1 s) as JPEG files."""
    from scanner import synthetic

    rng = np.random.default_rng(seed)
    (folder / "doorway").mkdir(parents=True, exist_ok=True)
    for n, jpeg in enumerate(doorway_jpegs(seed=seed)):
        jpeg.tofile(folder / "doorway" / f"{n:03d}.jpg")
    for number, token in enumerate(tokens):
        clip = synthetic.clip(token, 1280, 720, "clean", rng, lead=0)
        target = folder / f"card-{number}"
        target.mkdir(exist_ok=True)
        for n, frame in enumerate(clip.frames):
            to_jpeg(frame).tofile(target / f"{n:03d}.jpg")


def main() -> None:
    """Run the production scanner pieces on the triggered camera until stdin closes."""
    # Production starts this process as ``kiosk scanner``: load what that command loads, so
    # that the resident memory bench/pi.py reads is the production process's.
    import click

    from kiosk.cli import cli
    from kiosk.cli.memory import SCANNER_ARENAS, limit_malloc_arenas

    limit_malloc_arenas(SCANNER_ARENAS)  # as kiosk scanner does first
    cli.get_command(click.Context(cli), "scanner")

    from scanner.delivery import ApiClient, DeliveryQueue
    from scanner.health import HealthReporter
    from scanner.loop import ScannerLoop
    from scanner.preview import PreviewServer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", type=Path)
    parser.add_argument("--server", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s scanner %(message)s")
    camera = TriggeredCamera(args.clips)
    source = CaptureSource(camera, "MJPG 720p stand-in", 30.0)
    client = ApiClient(args.server, args.token)
    queue = DeliveryQueue(
        client,
        on_result=lambda scan, answer: print(f"answered {time.monotonic():.6f}", flush=True),
    ).start()
    health = HealthReporter(client, "scanner@pi-bench")
    preview = PreviewServer("127.0.0.1", 0).start()
    loop = ScannerLoop(lambda: source, queue.put, on_state=health.set, on_frame=preview.publish)
    health.progress_age = loop.progress_age
    health.start()

    def commands() -> None:
        for line in sys.stdin:
            if line.strip().isdigit():
                camera.show(int(line))
        loop.stop()

    threading.Thread(target=commands, daemon=True).start()
    print("ready", flush=True)
    loop.run()
    queue.flush(5)
    queue.stop()
    health.stop()
    preview.stop()


if __name__ == "__main__":
    main()
