"""Scanner health: the state the scanner reports to the server, every few seconds and on change."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from scanner.delivery import ApiClient, ScanRejected, ServerUnreachable

log = logging.getLogger(__name__)

STATES = ("ok", "no_camera", "error")
# A loop that has not read a frame (or tried to open the camera) for this long is stuck, for
# example in a camera driver's read(): the heartbeat says so, and the watchdog restarts it.
STALLED_AFTER_SECONDS = 30.0


class HealthReporter:
    """Posts ``/api/v1/devices/heartbeat`` every ``interval`` seconds and at once on a change.

    A heartbeat that fails is only logged: health reports must never hold up scanning.
    """

    def __init__(
        self,
        client: ApiClient,
        device: str,
        interval: float = 10.0,
        progress_age: Callable[[], float] | None = None,
        stalled_after: float = STALLED_AFTER_SECONDS,
    ) -> None:
        self.client = client
        # Seconds since the scan loop last made progress; without it, a heartbeat would say
        # "ok" from its own thread while the loop hangs.
        self.progress_age = progress_age
        self.stalled_after = stalled_after
        self.device = device
        self.interval = interval
        self.state = "error"
        self.detail = "starting"
        self.sent = 0
        self._changed = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def set(self, state: str, detail: str = "") -> None:
        """Record the current state; a change is reported straight away."""
        if state not in STATES:
            raise ValueError(f"unknown scanner state {state!r}")
        if (state, detail) != (self.state, self.detail):
            self.state, self.detail = state, detail
            self._changed.set()

    def current(self) -> tuple[str, str]:
        """The state to report now: the recorded one, or ``error`` while the loop is stuck."""
        if self.progress_age is not None:
            age = self.progress_age()
            if age > self.stalled_after:
                return "error", f"the scan loop has been stuck for {age:.0f} s"
        return self.state, self.detail

    def send(self) -> bool:
        """Send one heartbeat now; true when the server took it."""
        state, detail = self.current()
        try:
            self.client.heartbeat(self.device, state, detail)
        except (ServerUnreachable, ScanRejected) as exc:
            log.debug("heartbeat not delivered: %s", exc)
            return False
        self.sent += 1
        return True

    def start(self) -> HealthReporter:
        """Start the heartbeat thread."""
        self._thread = threading.Thread(target=self._run, name="scanner-health", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread."""
        self._stop.set()
        self._changed.set()
        if self._thread:
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._changed.clear()
            self.send()
            self._changed.wait(self.interval)
