"""Automatic check-out at closing time, so that nobody stays "present" overnight.

:class:`ClosingTimeCheckOut` is the pass ``kiosk serve`` runs once a minute (as a
:class:`kiosk.periodic.PeriodicTask`): it settles recent events' attendance and checks out
everyone still in after closing time."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.clock import Clock
from kiosk.db import connect
from kiosk.events import events_started_between, settle_attendance
from kiosk.settings import Settings
from kiosk.timeutil import from_db
from kiosk.transactions import write_transaction
from kiosk.visits import close_visit


def parse_closing_time(text: str) -> time:
    """Read a closing time such as ``22:00``."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValueError(f"closing time must look like 22:00, not {text!r}") from exc


def closing_moment(checked_in_at: datetime, closing: time, tz: ZoneInfo) -> datetime:
    """Return the first closing time (aware) after a check-in, in local wall-clock time.

    A check-in after closing (a late event) closes at the next day's closing time.
    """
    local_in = checked_in_at.astimezone(tz)
    moment = datetime.combine(local_in.date(), closing, tzinfo=tz)
    if moment <= local_in:
        moment = datetime.combine(local_in.date() + timedelta(days=1), closing, tzinfo=tz)
    return moment


def check_out_everyone_at_closing(
    db: sqlite_utils.Database, now: datetime, closing: time, tz: ZoneInfo
) -> list[int]:
    """Close every open visit whose closing time has passed; return their ids.

    The check-out time is the closing time itself, not ``now``, so a server that was off at
    22:00 still records the night correctly when it starts in the morning.
    """
    closed: list[int] = []
    with write_transaction(db):
        for visit in db.query("SELECT id, checked_in_at FROM visits WHERE checked_out_at IS NULL"):
            moment = closing_moment(from_db(visit["checked_in_at"]), closing, tz)
            if moment <= now and close_visit(db, visit["id"], moment, "automatic"):
                closed.append(visit["id"])
    return closed


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
