"""One small helper for work the server does on its own, again and again, in a daemon thread.

Closing-time check-out, the daily retention and the print queue each run a pass now and then.
:class:`PeriodicTask` owns the thread, the stop and wake signals, and what happens when a pass
fails: a busy database postpones the work to the next pass, and any other error is logged and
counted, never fatal, since a bug in background work must not take the door down with it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.db import DatabaseUnavailable

log = logging.getLogger(__name__)


class PeriodicTask:
    """Calls ``run_pass()`` every ``interval`` seconds (or sooner, when woken) in a thread.

    ``name`` says what the task does; it names the thread and the log lines. ``on_exit`` runs
    in the thread when it stops, to close what the passes opened there. ``wake_event`` lets
    code that cannot reach the task (a request thread) wake it through a shared event.
    """

    def __init__(
        self,
        name: str,
        interval: float,
        run_pass: Callable[[], object],
        *,
        on_exit: Callable[[], None] | None = None,
        wake_event: threading.Event | None = None,
    ) -> None:
        self.name = name
        self.interval = interval
        self.run_pass = run_pass
        self.on_exit = on_exit
        self.errors = 0  # unexpected errors, logged and counted
        self._wake = wake_event or threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (a daemon: it never keeps the server from exiting)."""
        if self.running:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run the next pass now rather than when the interval is up."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Let the pass in hand finish, stop the thread, and wait up to ``timeout`` seconds."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return bool(self._thread and self._thread.is_alive())

    def run_once(self) -> bool:
        """Run one pass, as the thread does; return whether it went through."""
        try:
            self.run_pass()
        except DatabaseUnavailable as exc:
            log.warning("%s postponed: %s", self.name, exc)
            return False
        except Exception:  # a bug here must not kill the server
            self.errors += 1
            log.exception("%s failed", self.name)
            return False
        return True

    def _loop(self) -> None:
        try:
            while not self._stopping.is_set():
                self.run_once()
                self._wake.wait(self.interval)
                self._wake.clear()
        finally:
            if self.on_exit is not None:
                self.on_exit()
