"""Work the server process does on its own, once a minute: event attendance and closing time."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any, Protocol

from kiosk.clock import Clock
from kiosk.closing import check_out_everyone_at_closing, parse_closing_time
from kiosk.db import DatabaseUnavailable, connect
from kiosk.events import events_started_between, settle_attendance
from kiosk.settings import Settings

log = logging.getLogger(__name__)

RECENT_EVENTS = timedelta(days=2)


class Publisher(Protocol):
    """Where live updates go (the web layer's broker); the domain needs only ``publish``."""

    def publish(self, channel: str, kind: str, data: dict[str, Any]) -> None:
        """Send ``data`` of ``kind`` to everyone listening on ``channel``."""


class ClosingTimeWatcher:
    """Checks everyone out at closing time; runs once a minute in a daemon thread."""

    def __init__(
        self, settings: Settings, clock: Clock, broker: Publisher, interval: float = 60.0
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.broker = broker
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> list[int]:
        """Close the visits whose closing time has passed; return their ids."""
        db = connect(self.settings.database)
        now = self.clock.now()
        try:
            # Attendance of events during which nobody scanned in is settled here too; only
            # recent events, so the minute's work stays small on years of data.
            settle_attendance(db, now, events_started_between(db, now - RECENT_EVENTS, now))
            closed = check_out_everyone_at_closing(
                db, now, parse_closing_time(self.settings.closing_time), self.settings.tz
            )
        finally:
            db.close()
        if closed:
            log.info("closing time: checked out %d visit(s) automatically", len(closed))
            self.broker.publish(
                "staff", "presence", {"result": "checked_out", "count": len(closed)}
            )
        return closed

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except DatabaseUnavailable as exc:  # try again next round
                log.warning("closing-time check-out postponed: %s", exc)
            except Exception:  # noqa: BLE001 - a bug here must not kill the server
                log.exception("closing-time check-out failed")
            self._stop.wait(self.interval)

    def start(self) -> None:
        """Start the watcher thread."""
        self._thread = threading.Thread(target=self._loop, name="closing-time", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to stop and wait for it briefly."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
