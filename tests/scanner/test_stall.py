"""A scan loop stuck inside a camera read is reported, so the watchdog can restart it."""

from __future__ import annotations

import threading

import numpy as np

from scanner.health import HealthReporter
from scanner.loop import ScannerLoop


class HangingCamera:
    """Gives a few frames, then blocks in read() the way a wedged V4L2 driver does."""

    description = "hanging test camera"
    exhausted = False

    def __init__(self, frames: int) -> None:
        self.frames = frames
        self.release = threading.Event()

    def read(self) -> np.ndarray | None:
        if self.frames == 0:
            self.release.wait(10)
            return None
        self.frames -= 1
        return np.zeros((48, 64), np.uint8)

    def close(self) -> None:
        self.release.set()


def test_heartbeat_reports_a_stuck_loop_instead_of_ok():
    now = [0.0]
    camera = HangingCamera(frames=3)
    loop = ScannerLoop(lambda: camera, emit=lambda scan: None, clock=lambda: now[0])
    health = HealthReporter(client=None, device="door-1", progress_age=loop.progress_age)
    loop.on_state = health.set
    runner = threading.Thread(target=loop.run, daemon=True)
    runner.start()
    while camera.frames:  # the three good frames are read
        threading.Event().wait(0.01)
    now[0] += 5
    assert health.current()[0] == "ok"
    now[0] += 60  # a minute inside read(): the loop makes no progress
    state, detail = health.current()
    assert state == "error" and "stuck" in detail
    loop.stop()
    camera.close()
    runner.join(5)
