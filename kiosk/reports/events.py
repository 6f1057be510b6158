"""The ``events`` report: attendance per event that starts in the month (local time).

Registered counts registrations. Attended counts distinct people who either had their
attendance marked on a registration, or were checked in with the event on their visit (a scan
at the door while the event runs); a person counted both ways counts once, before and after
their visits are anonymised. Cancelled events
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
from kiosk.reports.facts import registration_people, visit_facts
from kiosk.reports.month import Month
from kiosk.reports.presence import MAX_STAY_SECONDS
from kiosk.timeutil import from_db, to_db


@dataclass
class Attendance:
    """Who registered for and who attended one event."""

    registered: int = 0
    attendees: set[str] = field(default_factory=set)


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


def attendance(
    db: sqlite_utils.Database, events: list[dict[str, Any]], tz: ZoneInfo
) -> dict[int, Attendance]:
    """Registrations and attendees for each of ``events`` (as from :func:`events_in_month`).

    People are told apart by the keys of :mod:`kiosk.reports.facts`, so a visit that was
    anonymised still meets its person's registration and is not a second attendee.
    """
    result: dict[int, Attendance] = defaultdict(Attendance)
    if not events:
        return result
    ids = [event["id"] for event in events]
    for registration in registration_people(db, ids, tz):
        seen = result[registration["event_id"]]
        seen.registered += 1
        if registration["attended"] and registration["person"] is not None:
            seen.attendees.add(registration["person"])
    # A visit that attended an event was present during it, so it checked in at most one
    # capped stay before the event began and before it ended: an indexed range finds them all.
    earliest = min(from_db(event["starts_at"]) for event in events)
    latest = max(from_db(event["ends_at"]) for event in events)
    wanted = set(ids)
    window_start = to_db(earliest - timedelta(seconds=MAX_STAY_SECONDS))
    window_end = to_db(latest + timedelta(seconds=1))
    for fact in visit_facts(db, window_start, window_end, tz, with_event=True):
        if fact.event_id in wanted:
            # An old anonymised visit with no key is one person we cannot match to anyone.
            result[fact.event_id].attendees.add(fact.person or f"v{fact.id}")
    return result


def events_rows(
    db: sqlite_utils.Database, month: Month, tz: ZoneInfo, language: str
) -> Iterator[list[Any]]:
    """Yield one row of :data:`kiosk.reports.columns.EVENTS` per event starting in the month."""
    check_language(language)
    events = events_in_month(db, month, tz)
    counts = attendance(db, events, tz)
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
