"""Once per card: a code held in front of the camera for seconds is posted once."""

from __future__ import annotations


class Debouncer:
    """Decides whether a decoded code is a new scan.

    The clock is injected: callers pass the monotonic time with each sighting, so tests drive it
    directly. A code counts again only after it has been out of sight for ``window`` seconds;
    while a card stays in view its window keeps sliding, so a card held still for a minute is
    still one scan. Different codes are independent, so a queue of people each get their post.
    """

    def __init__(self, window: float = 3.0) -> None:
        if window < 0:
            raise ValueError("the debounce window cannot be negative")
        self.window = window
        self._last_seen: dict[str, float] = {}

    def seen(self, code: str, now: float) -> bool:
        """Record a sighting of ``code`` at monotonic ``now``; true when it should be posted."""
        last = self._last_seen.get(code)
        self._last_seen[code] = now
        self._forget(now)
        return last is None or now - last >= self.window

    def _forget(self, now: float) -> None:
        # Bounded memory on a kiosk that runs for months: drop codes whose window has passed.
        if len(self._last_seen) > 64:
            self._last_seen = {
                code: at for code, at in self._last_seen.items() if now - at < self.window
            }
