"""A few weeks of made-up visits and moods, so that a demo dashboard's charts look alive.

Only for demo databases: the visits belong to the members already there (the demo seeding
adds them first), follow a plausible week (busy late mornings, quiet Fridays, closed at
weekends) and are checked out the same day. Nothing here runs unless the lead's demo seeding
calls :func:`seed_demo_visits`.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.timeutil import to_db
from kiosk.transactions import write_transaction

# Relative busyness by weekday (Monday first) and the arrival hours people favour.
WEEKDAY_WEIGHT = (1.0, 1.2, 1.1, 1.0, 0.6, 0.0, 0.0)
ARRIVAL_HOURS = (8, 9, 9, 10, 10, 10, 11, 12, 13, 13, 14, 15, 17)
MOODS = (1, 2, 2, 2, 3, 3, 4, 5)


def seed_demo_visits(
    db: sqlite_utils.Database, now: datetime, tz: ZoneInfo, weeks: int = 8, seed: int = 7
) -> int:
    """Add ``weeks`` weeks of closed visits before today for the existing members.

    Returns how many visits were added; 0 when there are no members, or when the database
    already has visits before today (so running it twice does not double the history).
    The result is the same for the same ``now`` and ``seed``.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    today = now.astimezone(tz).date()
    start_today = datetime.combine(today, time.min, tzinfo=tz)
    (earlier,) = db.execute(
        "SELECT count(*) FROM visits WHERE checked_in_at < ?", [to_db(start_today)]
    ).fetchone()
    members = [
        row["id"]
        for row in db.query(
            "SELECT id FROM members WHERE active = 1 AND forgotten_at IS NULL ORDER BY id"
        )
    ]
    if not members or earlier:
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    added = 0
    seen: set[int] = set()
    with write_transaction(db):
        for offset in range(7 * weeks, 0, -1):
            day = today - timedelta(days=offset)
            added += _seed_day(db, rng, day, tz, members, seen)
    return added


def _seed_day(
    db: sqlite_utils.Database,
    rng: random.Random,
    day: date,
    tz: ZoneInfo,
    members: list[int],
    seen: set[int],
) -> int:
    weight = WEEKDAY_WEIGHT[day.weekday()]
    if weight == 0:
        return 0
    # Each member comes on about every other open day, the busy days a bit more often.
    visitors = [m for m in members if rng.random() < 0.55 * weight]
    added = 0
    for member_id in visitors:
        hour = rng.choice(ARRIVAL_HOURS)
        arrive = datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=tz)
        stay = timedelta(minutes=rng.randrange(40, 6 * 60))
        leave = min(arrive + stay, datetime.combine(day, time(21, 30), tzinfo=tz))
        visit_id = (
            db["visits"]
            .insert(
                {
                    "member_id": member_id,
                    "checked_in_at": to_db(arrive),
                    "checked_out_at": to_db(leave),
                    "checkin_method": "card",
                    "checkout_method": "card",
                    "first_visit": int(member_id not in seen),
                }
            )
            .last_pk
        )
        seen.add(member_id)
        if rng.random() < 0.7:
            db["mood_answers"].insert(
                {
                    "visit_id": visit_id,
                    "answered_at": to_db(arrive + timedelta(seconds=30)),
                    "mood": rng.choice(MOODS),
                }
            )
        added += 1
    return added
