"""Before a visit loses its person, write onto it what its month's figures count it by.

Anonymising a visit (retention, erasure) must not move any figure of a closed month (see
:mod:`kiosk.reports.facts`). So, first, each visit gets:

* the person's anonymous key for the visit's local month (made on first need, random, in
  ``report_keys``), which every other visit of that person in that month is then counted by;
* its company key and the person's profile classes, as the reports would read them.

Registrations get the key of their event's month too. When a month has nothing left to
anonymise, or the person is erased, their keys are deleted: from then on nothing links the
anonymous visits to anyone.
"""

from __future__ import annotations

import secrets
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.companies import company_key, known_companies
from kiosk.reports.facts import live_person, month_text
from kiosk.timeutil import from_db

_SELECT = """
    SELECT v.id, v.checked_in_at, v.member_id, v.guest_id,
           coalesce(v.size_class, m.size_class, g.size_class),
           coalesce(v.company_new, m.company_new, g.company_new),
           coalesce(v.gender, m.gender, g.gender),
           coalesce(v.age_band, m.age_band, g.age_band),
           v.company_key, m.business_id, coalesce(m.company, g.company)
    FROM visits AS v
    LEFT JOIN members AS m ON m.id = v.member_id
    LEFT JOIN guests AS g ON g.id = v.guest_id
    WHERE v.person_key IS NULL AND (v.member_id IS NOT NULL OR v.guest_id IS NOT NULL)
      AND ({where})
"""


def month_key(db: sqlite_utils.Database, month: str, person: str) -> str:
    """The anonymous key of ``person`` (``m12``) in ``month`` (``YYYY-MM``), made on first need."""
    row = db.execute(
        "SELECT key FROM report_keys WHERE month = ? AND person = ?", [month, person]
    ).fetchone()
    if row:
        return str(row[0])
    key = "k" + secrets.token_hex(8)
    db.execute(
        "INSERT INTO report_keys (month, person, key) VALUES (?, ?, ?)", [month, person, key]
    )
    return key


def freeze_visits(
    db: sqlite_utils.Database, where: str, params: dict[str, Any], tz: ZoneInfo
) -> int:
    """Freeze the figures of the visits matching ``where`` (SQL on ``v``); return how many.

    Call inside the write transaction that then anonymises them.
    """
    known = known_companies(db)
    rows = db.execute(_SELECT.format(where=where), params).fetchall()
    for (visit_id, checked_in_at, member_id, guest_id, size_class, company_new, gender,
         age_band, frozen_company, business_id, company) in rows:  # fmt: skip
        person = live_person(member_id, guest_id)
        assert person is not None  # noqa: S101 - the query only returns visits with a person
        key = month_key(db, month_text(from_db(checked_in_at), tz), person)
        db.execute(
            "UPDATE visits SET person_key = ?, company_key = ?, size_class = ?, "
            "company_new = ?, gender = ?, age_band = ? WHERE id = ?",
            [key, frozen_company or company_key(business_id, company, known), size_class,
             company_new, gender, age_band, visit_id],
        )  # fmt: skip
    freeze_registrations(db, tz)
    return len(rows)


def freeze_registrations(db: sqlite_utils.Database, tz: ZoneInfo) -> int:
    """Give registrations whose person has a key in their event's month that key."""
    keys = {
        (month, person): key
        for month, person, key in db.execute("SELECT month, person, key FROM report_keys")
    }
    if not keys:
        return 0
    changed = 0
    for registration_id, member_id, guest_id, starts_at in db.execute(
        "SELECT r.id, r.member_id, r.guest_id, e.starts_at FROM event_registrations AS r "
        "JOIN events AS e ON e.id = r.event_id WHERE r.person_key IS NULL"
    ).fetchall():
        person = live_person(member_id, guest_id)
        key = keys.get((month_text(from_db(starts_at), tz), person or ""))
        if key is not None:
            db.execute(
                "UPDATE event_registrations SET person_key = ? WHERE id = ?",
                [key, registration_id],
            )
            changed += 1
    return changed


def forget_keys(
    db: sqlite_utils.Database, *, person: str | None = None, before_month: str | None = None
) -> int:
    """Delete the keys of ``person``, or of the months before ``before_month``; return how many."""
    if person is not None:
        return db.execute("DELETE FROM report_keys WHERE person = ?", [person]).rowcount
    if before_month is not None:
        return db.execute("DELETE FROM report_keys WHERE month < ?", [before_month]).rowcount
    return 0
