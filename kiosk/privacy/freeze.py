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
    db: sqlite_utils.Database,
    where: str,
    params: dict[str, Any],
    tz: ZoneInfo,
    *,
    registrations: bool = True,
) -> int:
    """Freeze the figures of the visits matching ``where`` (SQL on ``v``); return how many.

    Call inside the write transaction that then anonymises them. Registrations get their keys
    too, unless ``registrations`` is False: retention, working in batches, gives them theirs
    once after the last batch (reports read a registration's key from ``report_keys`` until
    then, so the figures are the same either way).
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
    if registrations:
        freeze_registrations(db, tz)
    return len(rows)


def registration_keys(db: sqlite_utils.Database, tz: ZoneInfo) -> list[tuple[int, str]]:
    """``(registration id, key)`` for each registration that has no key yet but whose person
    has one in the event's local month. Only reads.

    Keys exist only for the months retention or erasure is working through, so only events
    from a month before the first such month to a month after the last are read (a local
    month starts and ends within a day of the UTC one), through ``events_starts``.
    """
    first, last = db.execute("SELECT min(month), max(month) FROM report_keys").fetchone()
    if first is None:
        return []
    rows = db.execute(
        "SELECT r.id, r.member_id, r.guest_id, e.starts_at FROM events AS e "
        "JOIN event_registrations AS r ON r.event_id = e.id "
        "WHERE e.starts_at >= ? AND e.starts_at < ? AND r.person_key IS NULL",
        [_month_start(first, -1), _month_start(last, 2)],
    ).fetchall()
    found = []
    for registration_id, member_id, guest_id, starts_at in rows:
        person = live_person(member_id, guest_id)
        key = db.execute(
            "SELECT key FROM report_keys WHERE month = ? AND person = ?",
            [month_text(from_db(starts_at), tz), person or ""],
        ).fetchone()
        if key is not None:
            found.append((registration_id, str(key[0])))
    return found


def set_registration_keys(db: sqlite_utils.Database, keys: list[tuple[int, str]]) -> int:
    """Give each registration in ``keys`` its key, unless it has one already; return how many."""
    return sum(
        db.execute(
            "UPDATE event_registrations SET person_key = ? WHERE id = ? AND person_key IS NULL",
            [key, registration_id],
        ).rowcount
        for registration_id, key in keys
    )


def freeze_registrations(db: sqlite_utils.Database, tz: ZoneInfo) -> int:
    """Give registrations whose person has a key in their event's month that key."""
    return set_registration_keys(db, registration_keys(db, tz))


def _month_start(month: str, offset: int) -> str:
    """The first day (``YYYY-MM-01``) of the month ``offset`` months from ``month``."""
    year, number = divmod(int(month[:4]) * 12 + int(month[5:7]) - 1 + offset, 12)
    return f"{year:04d}-{number + 1:02d}-01"


def forget_keys(
    db: sqlite_utils.Database,
    *,
    person: str | None = None,
    before_month: str | None = None,
    limit: int | None = None,
) -> int:
    """Delete the keys of ``person``, or of the months before ``before_month``; return how many.

    With ``limit``, at most that many of the months' keys go (oldest months first), so a long
    backlog can be forgotten in short transactions.
    """
    if person is not None:
        return db.execute("DELETE FROM report_keys WHERE person = ?", [person]).rowcount
    if before_month is not None:
        if limit is None:
            return db.execute("DELETE FROM report_keys WHERE month < ?", [before_month]).rowcount
        return db.execute(
            "DELETE FROM report_keys WHERE rowid IN (SELECT rowid FROM report_keys "
            "WHERE month < ? ORDER BY month LIMIT ?)",
            [before_month, limit],
        ).rowcount
    return 0
