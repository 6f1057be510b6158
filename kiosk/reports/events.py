"""The ``events`` report: attendance per event that starts in the month (local time).

Registered counts registrations. Attended counts distinct people who either had their
attendance marked on a registration, or were checked in with the event on their visit (a scan
at the door while the event runs); a person counted both ways counts once. Cancelled events
stay listed, marked as such, with their numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.reports.columns import check_language, label
from kiosk.reports.month import Month
from kiosk.reports.presence import MAX_STAY_SECONDS
from kiosk.timeutil import from_db, to_db

PersonKey = tuple[str, int]


@dataclass
class Attendance:
    """Who registered for and who attended one event."""

    registered: int = 0
    attendees: set[PersonKey] = field(default_factory=set)


def events_in_month(db: sqlite_utils.Database, month: Month, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The events starting in the month, in order of start."""
    start, end = month.db_bounds(tz)
    cursor = db.conn.execute(
        "SELECT id, title, kind, starts_at, ends_at, room, capacity, host, cancelled_at "
        "FROM events WHERE starts_at >= ? AND starts_at < ? ORDER BY starts_at, id",
        (start, end),
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def attendance(db: sqlite_utils.Database, events: list[dict[str, Any]]) -> dict[int, Attendance]:
    """Registrations and attendees for each of ``events`` (as from :func:`events_in_month`)."""
    result: dict[int, Attendance] = defaultdict(Attendance)
    if not events:
        return result
    ids = [event["id"] for event in events]
    marks = ",".join("?" * len(ids))  # only placeholders; the ids travel as parameters
    for event_id, member_id, guest_id, attended_at in db.conn.execute(
        "SELECT event_id, member_id, guest_id, attended_at FROM event_registrations "  # noqa: S608
        f"WHERE event_id IN ({marks})",
        ids,
    ):
        result[event_id].registered += 1
        if attended_at is not None:
            result[event_id].attendees.add(_person(member_id, guest_id, None))
    # A visit that attended an event was present during it, so it checked in at most one
    # capped stay before the event began and before it ended: an indexed range finds them all.
    earliest = min(from_db(event["starts_at"]) for event in events)
    latest = max(from_db(event["ends_at"]) for event in events)
    window = (to_db(earliest - timedelta(seconds=MAX_STAY_SECONDS)), to_db(latest))
    wanted = set(ids)
    for visit_id, event_id, member_id, guest_id in db.conn.execute(
        "SELECT id, event_id, member_id, guest_id FROM visits "
        "WHERE checked_in_at >= ? AND checked_in_at <= ? AND event_id IS NOT NULL",
        window,
    ):
        if event_id in wanted:
            result[event_id].attendees.add(_person(member_id, guest_id, visit_id))
    return result


def _person(member_id: int | None, guest_id: int | None, visit_id: int | None) -> PersonKey:
    if member_id is not None:
        return ("m", member_id)
    if guest_id is not None:
        return ("g", guest_id)
    # An anonymised visit is one person we can no longer match to anyone else.
    return ("v", visit_id or 0)


def events_rows(
    db: sqlite_utils.Database, month: Month, tz: ZoneInfo, language: str
) -> Iterator[list[Any]]:
    """Yield one row of :data:`kiosk.reports.columns.EVENTS` per event starting in the month."""
    check_language(language)
    events = events_in_month(db, month, tz)
    counts = attendance(db, events)
    for event in events:
        starts = from_db(event["starts_at"]).astimezone(tz)
        ends = from_db(event["ends_at"]).astimezone(tz)
        end_text = ends.strftime("%H:%M")
        if ends.date() != starts.date():
            end_text = ends.strftime("%Y-%m-%d %H:%M")
        seen = counts.get(event["id"], Attendance())
        yield [
            event["id"],
            starts.date().isoformat(),
            starts.strftime("%H:%M"),
            end_text,
            event["title"],
            event["kind"],
            event["room"],
            event["host"],
            event["capacity"],
            seen.registered,
            len(seen.attendees),
            label("yes" if event["cancelled_at"] else "no", language),
        ]
