"""Automatic check-out at closing time, so that nobody stays "present" overnight."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

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
