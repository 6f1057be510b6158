"""When to decode and how fast to read the camera: full speed while something moves, slow when idle.

The policy is plain arithmetic on the monotonic time the caller passes with each frame, so tests
drive it frame by frame.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    """What to do with one frame: decode it or not, and the frame rate to ask of the source."""

    decode: bool
    max_fps: float | None  # None: as fast as the camera delivers


class Attention:
    """Decides, frame by frame, whether the scan loop decodes and how many frames it reads.

    Any change in view makes the loop active: every frame is decoded and the source runs at full
    speed. ``idle_after`` seconds after the last change the loop idles: the source delivers at
    most ``idle_fps`` frames a second, and only one frame every ``check_every`` seconds is decoded
    anyway, so a card held perfectly still (or a code the change detector missed) is still read.
    The first changed frame switches back to full speed, so the next frame already comes at the
    camera's own rate. ``idle_fps=0`` never idles: every frame is read and decoded.
    """

    def __init__(
        self,
        idle_after: float = 2.0,
        idle_fps: float = 10.0,
        check_every: float = 1.0,
    ) -> None:
        if idle_fps < 0 or idle_after < 0 or check_every <= 0:
            raise ValueError("idle_fps and idle_after cannot be negative, check_every must be > 0")
        self.idle_after = idle_after
        self.idle_fps = idle_fps
        self.check_every = check_every
        self.active = True
        self._last_change: float | None = None
        self._last_decode: float | None = None

    @property
    def enabled(self) -> bool:
        """Whether the loop ever idles."""
        return self.idle_fps > 0

    def observe(self, changed: bool, now: float) -> Decision:
        """Record whether the frame seen at monotonic ``now`` showed change; say what to do."""
        if changed or not self.enabled or self._last_change is None:
            self._last_change = now  # the first frame counts as change: start at full speed
        active = now - self._last_change < self.idle_after or now == self._last_change
        self.active = active
        decode = active or self._last_decode is None or now - self._last_decode >= self.check_every
        if decode:
            self._last_decode = now
        return Decision(decode, None if active else self.idle_fps)
