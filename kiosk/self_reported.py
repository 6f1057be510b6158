""" "Milloin lähdit viimeksi?": a person corrects the check-out the door made at closing time.

The closing-time check-out only says the person was gone by then. On their next check-in
the door asks once when they left, offering a few whole hours between their arrival and the
closing time. The answer becomes the visit's check-out, marked self-reported, and the stay
then counts for time like any other (see :mod:`kiosk.reports.facts`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.errors import InvalidInput
from kiosk.timeutil import from_db, to_db
from kiosk.transactions import write_transaction

MAX_CHOICES = 4
# An hour this close to the closing-time check-out says nothing the record does not.
LAST_CHOICE_BEFORE_CLOSING = timedelta(minutes=30)


def leaving_choices(checked_in: datetime, closed: datetime, tz: ZoneInfo) -> list[datetime]:
    """Up to four whole local hours after arrival and before the closing-time check-out."""
    local_in = checked_in.astimezone(tz)
    first = local_in.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    hours = []
    moment = first
    latest = closed.astimezone(tz) - LAST_CHOICE_BEFORE_CLOSING
    while moment <= latest:
        hours.append(moment)
        moment = (moment + timedelta(hours=1)).astimezone(tz)
    if len(hours) <= MAX_CHOICES:
        return hours
    # Spread the choices over the day, always keeping the first and the last hour.
    step = (len(hours) - 1) / (MAX_CHOICES - 1)
    return [hours[round(i * step)] for i in range(MAX_CHOICES)]


def correctable_visit(
    db: sqlite_utils.Database, visit_id: int, member_id: int | None, guest_id: int | None
) -> dict | None:
    """The visit if it is this person's, closed automatically and not yet corrected."""
    row = db.execute(
        "SELECT id, member_id, guest_id, checked_in_at, checked_out_at FROM visits "
        "WHERE id = ? AND checkout_method = 'automatic' AND NOT checkout_self_reported",
        [visit_id],
    ).fetchone()
    if row is None or (row[1], row[2]) != (member_id, guest_id) or member_id is None:
        return None
    return {"id": row[0], "checked_in_at": from_db(row[3]), "checked_out_at": from_db(row[4])}


def correct_checkout(
    db: sqlite_utils.Database,
    visit_id: int,
    member_id: int,
    left_at: datetime,
) -> None:
    """Record that the person left at ``left_at``; raise :class:`InvalidInput` if it cannot be."""
    with write_transaction(db):
        visit = correctable_visit(db, visit_id, member_id, None)
        if visit is None:
            raise InvalidInput("that visit cannot be corrected")
        if not visit["checked_in_at"] < left_at <= visit["checked_out_at"]:
            raise InvalidInput("the time must be between arriving and closing")
        db.execute(
            "UPDATE visits SET checked_out_at = ?, checkout_self_reported = 1 WHERE id = ?",
            [to_db(left_at), visit_id],
        )
