"""A cheap change detector: does this frame differ from the empty entrance?

Most camera frames at a door show nobody. Decoding each of them costs a few milliseconds; this
check costs about half of one, because it looks at an 80×45 grayscale thumbnail only. Two
thumbnails are compared with a slowly updated background:

- an area average, which sees anything large move (a person, a hand, a card close up);
- point samples, in which a QR code's black and white modules stay black and white however far
  away the card is, where an average would blur them to the grey of a wall.

A global brightness shift (auto exposure, a cloud) moves every pixel alike and is subtracted
first, so only local change counts.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

Frame = np.ndarray

THUMBNAIL_SIZE = (80, 45)  # width, height: 16× smaller than 720p in each direction


def thumbnails(frame: Frame, size: tuple[int, int] = THUMBNAIL_SIZE) -> np.ndarray:
    """The area-averaged and the point-sampled grayscale thumbnails of ``frame``, stacked."""
    area = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
    points = cv2.resize(frame, size, interpolation=cv2.INTER_NEAREST)
    if frame.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if frame.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        area, points = cv2.cvtColor(area, code), cv2.cvtColor(points, code)
    return np.stack((area, points)).astype(np.float32)


class ChangeDetector:
    """Tells whether a frame differs from the scene the camera usually sees.

    ``pixel_threshold`` is the grey-level difference a thumbnail pixel must exceed to count as
    changed, ``min_fraction`` the share of changed pixels that makes a frame "changed". The
    background follows the scene with a time constant of ``adapt_seconds``, so a chair moved
    into view stops counting as change after a while, and the caller passes the monotonic time
    with each frame (the clock is injected).
    """

    def __init__(
        self,
        size: tuple[int, int] = THUMBNAIL_SIZE,
        pixel_threshold: float = 24.0,
        min_fraction: float = 0.003,
        adapt_seconds: float = 4.0,
    ) -> None:
        self.size = size
        self.pixel_threshold = pixel_threshold
        self.min_fraction = min_fraction
        self.adapt_seconds = adapt_seconds
        self.score = 0.0  # the share of changed pixels in the last frame, for figures and tests
        self._background: np.ndarray | None = None
        self._shape: tuple[int, ...] | None = None
        self._last: float | None = None

    def reset(self) -> None:
        """Forget the background (a new camera, a new scene)."""
        self._background = None
        self._shape = None
        self._last = None

    def changed(self, frame: Frame, now: float) -> bool:
        """Whether ``frame`` differs from the background; also updates the background."""
        small = thumbnails(frame, self.size)
        if self._background is None or frame.shape != self._shape:
            # A first frame, or a camera that came back at another size: nothing to compare
            # with, so it counts as change and gets decoded.
            self._background, self._shape, self._last = small, frame.shape, now
            self.score = 1.0
            return True
        diff = small - self._background
        diff -= np.median(diff, axis=(1, 2), keepdims=True)
        self.score = float(np.count_nonzero(np.abs(diff) > self.pixel_threshold)) / diff.size
        elapsed = max(0.0, now - (self._last if self._last is not None else now))
        self._last = now
        weight = 1.0 - math.exp(-elapsed / self.adapt_seconds) if self.adapt_seconds > 0 else 1.0
        self._background += weight * (small - self._background)
        return self.score >= self.min_fraction
