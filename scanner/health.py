"""Scanner health: the state the scanner reports to the server, every few seconds and on change."""

from __future__ import annotations

import logging
import threading

from scanner.delivery import ApiClient, ScanRejected, ServerUnreachable

log = logging.getLogger(__name__)

STATES = ("ok", "no_camera", "error")


class HealthReporter:
    """Posts ``/api/v1/devices/heartbeat`` every ``interval`` seconds and at once on a change.

    A heartbeat that fails is only logged: health reports must never hold up scanning.
    """

    def __init__(self, client: ApiClient, device: str, interval: float = 10.0) -> None:
        self.client = client
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

    def send(self) -> bool:
        """Send one heartbeat now; true when the server took it."""
        try:
            self.client.heartbeat(self.device, self.state, self.detail)
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
