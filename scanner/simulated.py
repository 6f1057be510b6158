"""The simulated camera: demo members' cards passing in front of an entrance, for ``make run``.

It shows the real tokens from a text file (one a line; plain ``simulated`` reads
``<instance>/demo-cards/tokens.txt``, which the demo seeding writes), so the scans it produces
check real demo members in. Each card slides in, is held for a moment tilted and unevenly lit,
and slides out; then the entrance stays empty for a while, as between two visitors.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from scanner import synthetic
from scanner.sources import frame_step

log = logging.getLogger(__name__)

Frame = np.ndarray


def read_tokens(path: Path) -> list[str]:
    """The tokens in ``path``: one a line, blank lines and ``#`` comments skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


class SimulatedSource:
    """A paced stream of synthetic frames showing each token's card in turn."""

    exhausted = False

    def __init__(
        self,
        tokens_file: Path | None = None,
        tokens: list[str] | None = None,
        width: int = 640,
        height: int = 480,
        fps: float = 15.0,
        seed: int | None = None,
        realtime: bool = True,
        gap_seconds: float = 1.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.tokens_file = tokens_file
        self._fixed_tokens = tokens
        self.width, self.height = width, height
        self.fps = fps
        self.realtime = realtime
        self.gap_seconds = gap_seconds
        self._sleep = sleep
        self._rng = np.random.default_rng(seed)
        self._frames: list[Frame] = []
        self._turn = 0
        self._step = 1
        self._next = time.monotonic()
        where = tokens_file if tokens is None else f"{len(tokens)} tokens"
        self.description = f"simulated camera ({where})"

    def tokens(self) -> list[str]:
        """The tokens to show, re-read on each pass so that newly seeded demo cards appear."""
        if self._fixed_tokens is not None:
            return self._fixed_tokens
        return read_tokens(self.tokens_file) if self.tokens_file else []

    def _next_pass(self) -> list[Frame]:
        tokens = self.tokens()
        rng = self._rng
        scene = synthetic.uneven_light(synthetic.background(self.width, self.height, rng), 0.5, rng)
        scene = synthetic.low_light(scene, rng.uniform(0.55, 0.95), 3.0, rng)
        empty = [scene] * max(1, int(self.fps * self.gap_seconds))
        if not tokens:
            return empty
        token = tokens[self._turn % len(tokens)]
        self._turn += 1
        card = synthetic.render_code(token, module_px=6)
        size = min(self.width, self.height) * rng.uniform(0.4, 0.55)
        y = self.height / 2 + rng.uniform(-0.1, 0.1) * self.height
        rest_x = self.width / 2 + rng.uniform(-0.1, 0.1) * self.width
        rotation, tilt = rng.uniform(-20, 20), rng.uniform(0.0, 0.25)
        frames: list[Frame] = []
        slide = int(self.fps * 0.4)
        hold = int(self.fps * 1.2)
        start_x, end_x = -size, self.width + size
        for i in range(slide):  # moving in: blurred along the motion
            x = start_x + (rest_x - start_x) * (i + 1) / slide
            frame = synthetic.place(scene, card, (x, y), size, rotation, tilt)
            frames.append(synthetic.motion_blur(frame, 9, 0.0))
        for i in range(hold):  # held still, with a little hand tremor
            wobble = 3 * np.sin(i / 2.0)
            frames.append(
                synthetic.place(scene, card, (rest_x + wobble, y), size, rotation + wobble, tilt)
            )
        for i in range(slide):
            x = rest_x + (end_x - rest_x) * (i + 1) / slide
            frame = synthetic.place(scene, card, (x, y), size, rotation, tilt)
            frames.append(synthetic.motion_blur(frame, 9, 0.0))
        return frames + empty

    def set_max_fps(self, fps: float | None) -> None:
        """Hand over at most ``fps`` frames a second; the ones in between pass unseen."""
        self._step = frame_step(self.fps, fps)

    def read(self) -> Frame | None:
        """The next frame, paced at ``fps`` like a camera (the next one due, when throttled)."""
        for _ in range(self._step):
            if not self._frames:
                self._frames = self._next_pass()
                self._frames.reverse()  # pop() from the end is O(1)
            if self.realtime:
                now = time.monotonic()
                if self._next > now:
                    self._sleep(self._next - now)
                self._next = max(self._next, now) + 1.0 / self.fps
            frame = self._frames.pop()
        return frame

    def close(self) -> None:
        """Nothing to release."""
