"""Closing time: once a minute, settle recent events' attendance and check out everyone still in
after closing time. ``kiosk serve`` runs it as a :class:`kiosk.periodic.PeriodicTask`."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Protocol

from kiosk.clock import Clock
from kiosk.closing import check_out_everyone_at_closing, parse_closing_time
from kiosk.db import connect
from kiosk.events import events_started_between, settle_attendance
from kiosk.settings import Settings

log = logging.getLogger(__name__)

RECENT_EVENTS = timedelta(days=2)


class Publisher(Protocol):
    """Where live updates go (the web layer's broker); the domain needs only ``publish``."""

    def publish(self, channel: str, kind: str, data: dict[str, Any]) -> None:
        """Send ``data`` of ``kind`` to everyone listening on ``channel``."""


class ClosingTimeCheckOut:
    """Checks everyone out at closing time, and settles attendance of recent events."""

    def __init__(self, settings: Settings, clock: Clock, broker: Publisher) -> None:
        self.settings = settings
        self.clock = clock
        self.broker = broker

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
