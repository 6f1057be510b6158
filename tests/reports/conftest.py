"""A small, known month of kiosk data (November 2026, Helsinki), written with sqlite-utils.

Every number in the golden files follows from the rows below; the comments say why each row
is there.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from kiosk.timeutil import to_db

HELSINKI = ZoneInfo("Europe/Helsinki")


def at(year: int, month: int, day: int, hour: int, minute: int = 0, fold: int = 0) -> str:
    """Stored UTC text for a Helsinki wall-clock time."""
    return to_db(datetime(year, month, day, hour, minute, tzinfo=HELSINKI, fold=fold))


def add_visit(db: sqlite_utils.Database, **row: object) -> int:
    """Insert a visit with sensible defaults and return its id."""
    row.setdefault("checkin_method", "card")
    if row.get("checked_out_at") and "checkout_method" not in row:
        row["checkout_method"] = "card"
    return int(db["visits"].insert(row).last_pk)


@pytest.fixture
def month_db(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """The fixture month: members, guests, visits over the edges, an event, moods, alerts."""
    created = at(2026, 10, 1, 9)
    db["members"].insert_all(
        [
            dict(id=1, name="Aino Äijälä", first_name="Aino", company="Äijälän Puu Oy",
                 business_id="1234567-8", created_at=created, updated_at=created),
            # A hostile company name: must come out neutralised, never as a formula.
            dict(id=2, name="Östen Åberg", first_name="Östen", company='=HYPERLINK("x","y")',
                 business_id="2345678-9", created_at=at(2026, 11, 5, 10),
                 updated_at=at(2026, 11, 5, 10)),
            # Forgotten: the row stays for counts, the name is gone.
            dict(id=3, name="", first_name="", company=None, created_at=at(2025, 1, 1, 9),
                 updated_at=created, forgotten_at=at(2026, 11, 20, 9)),
        ]
    )  # fmt: skip
    db["guests"].insert_all(
        [
            dict(id=1, name="Pekka Vieras", first_name="Pekka", company="Vierasyhtiö Tmi",
                 consent_version="2026-11", consent_at=at(2026, 11, 12, 12),
                 created_at=at(2026, 11, 12, 12)),
            dict(id=2, name="-Minna, \"Mimmi\"", first_name="Minna", company=None,
                 consent_version="2026-11", consent_at=at(2026, 11, 30, 21),
                 created_at=at(2026, 11, 30, 21)),
        ]
    )  # fmt: skip
    db["events"].insert_all(
        [
            dict(id=1, title="Työpaja: Markkinointi; somessa", kind="työpaja",
                 starts_at=at(2026, 11, 12, 13), ends_at=at(2026, 11, 12, 15), room="Iso sali",
                 capacity=12, host="Heimopäällikkö", created_at=created),
            dict(id=2, title="Virkistys", kind="virkistys", starts_at=at(2026, 11, 20, 17),
                 ends_at=at(2026, 11, 20, 19), created_at=created,
                 cancelled_at=at(2026, 11, 18, 9)),
            dict(id=3, title="Joulukahvit", kind="muu", starts_at=at(2026, 12, 1, 9),
                 ends_at=at(2026, 12, 1, 10), created_at=created),
        ]
    )  # fmt: skip
    # October's last evening: belongs to October, but is present at November's first midnight.
    add_visit(db, id=8, member_id=2, checked_in_at=at(2026, 10, 31, 23, 30),
              checked_out_at=at(2026, 11, 1, 0, 30))  # fmt: skip
    add_visit(db, id=1, member_id=1, checked_in_at=at(2026, 11, 2, 9),
              checked_out_at=at(2026, 11, 2, 11, 30))  # fmt: skip
    add_visit(db, id=2, member_id=1, checked_in_at=at(2026, 11, 12, 12, 50),
              checked_out_at=at(2026, 11, 12, 15, 10), event_id=1)  # fmt: skip
    add_visit(db, id=3, member_id=2, checked_in_at=at(2026, 11, 12, 13),
              checked_out_at=at(2026, 11, 12, 14), checkin_method="manual",
              checkout_method="manual")  # fmt: skip
    add_visit(db, id=4, guest_id=1, checked_in_at=at(2026, 11, 12, 12, 55),
              checked_out_at=at(2026, 11, 12, 15), checkin_method="guest",
              checkout_method="automatic")  # fmt: skip
    # Anonymised: no person, still a visit.
    add_visit(db, id=7, checked_in_at=at(2026, 11, 15, 10), checked_out_at=at(2026, 11, 15, 12),
              anonymised_at=at(2026, 11, 20, 9))  # fmt: skip
    # Spans the month's end: belongs to 30 November.
    add_visit(db, id=5, member_id=1, checked_in_at=at(2026, 11, 30, 23, 30),
              checked_out_at=at(2026, 12, 1, 0, 45))  # fmt: skip
    # Open (never checked out).
    add_visit(db, id=6, guest_id=2, checked_in_at=at(2026, 11, 30, 21), checkin_method="guest")
    # December: not in the month.
    add_visit(db, id=9, member_id=1, checked_in_at=at(2026, 12, 1, 0, 10),
              checked_out_at=at(2026, 12, 1, 1))  # fmt: skip

    db["event_registrations"].insert_all(
        [
            dict(event_id=1, member_id=1, registered_at=at(2026, 11, 10, 9),
                 attended_at=at(2026, 11, 12, 13)),
            dict(event_id=1, member_id=2, registered_at=at(2026, 11, 10, 9)),
            dict(event_id=1, guest_id=1, registered_at=at(2026, 11, 12, 12, 56),
                 attended_at=at(2026, 11, 12, 13)),
            dict(event_id=2, member_id=1, registered_at=at(2026, 11, 10, 9)),
        ]
    )  # fmt: skip

    moods = (
        # Week 45 (2-8 Nov): 3 answers, below 5: the whole row is hidden.
        [(at(2026, 11, 2, 10), m) for m in (1, 2, 2)]
        # Week 46 (9-15 Nov): 7 answers; five "Loistavaa" shown, the rest hidden.
        + [(at(2026, 11, 12, 14), m) for m in (1, 1, 1, 1, 1, 2, 3)]
        # Week 49 (30 Nov): 23:50 local on the 30th is still November.
        + [(at(2026, 11, 30, 23, 50), m) for m in (4, 4, 4, 4, 4, 5)]
        # 1 December: next month, never in November's report.
        + [(at(2026, 12, 1, 0, 5), 5)] * 5
    )
    db["mood_answers"].insert_all(
        {"answered_at": answered, "mood": mood, "visit_id": None} for answered, mood in moods
    )
    alerts = [(1, ["rahoitus"])] * 5 + [(0, ["jaksaminen", "rahoitus"]), (1, ["kahvi"])]
    db["host_alerts"].insert_all(
        {"created_at": at(2026, 11, 12, 14), "wants_chat": chat, "topics": json.dumps(topics)}
        for chat, topics in alerts
    )
    # As check-in does (and the migration did for older rows): mark each first visit ever.
    db.execute(
        """UPDATE visits SET first_visit = CASE
            WHEN member_id IS NOT NULL THEN NOT EXISTS (
                SELECT 1 FROM visits AS e WHERE e.member_id = visits.member_id
                AND e.checked_in_at < visits.checked_in_at)
            WHEN guest_id IS NOT NULL THEN NOT EXISTS (
                SELECT 1 FROM visits AS e WHERE e.guest_id = visits.guest_id
                AND e.checked_in_at < visits.checked_in_at)
            END"""
    )
    return db
