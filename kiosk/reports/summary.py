"""The ``summary`` report: one row of the month's totals, for the funder's reporting.

* Visits count on their local check-in day, anonymised ones included: member and guest visits
  add up to the total, an anonymised visit counting as a guest visit when it came in through
  the guest form. ``anonymised_visits`` says how many of the total were anonymised.
* Unique persons are distinct members plus distinct guests. Anonymised visits cannot be told
  apart, so they add to the visit totals but not to unique persons: the figure never claims
  more people than were seen.
* Unique companies are told apart by Y-tunnus where a member gave one, otherwise by the
  company name, ignoring case and surrounding spaces.
* New members were created during the month. Event figures follow :mod:`.events`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.reports.columns import check_language
from kiosk.reports.events import attendance, events_in_month
from kiosk.reports.month import Month

_VISITS_SQL = """
    SELECT count(*),
           count(DISTINCT CASE WHEN anonymised_at IS NULL THEN member_id END),
           count(DISTINCT CASE WHEN anonymised_at IS NULL THEN guest_id END),
           total(guest_id IS NOT NULL
                 OR (member_id IS NULL AND checkin_method = 'guest')),
           total(anonymised_at IS NOT NULL OR (member_id IS NULL AND guest_id IS NULL))
    FROM visits
    WHERE checked_in_at >= :start AND checked_in_at < :end
"""

_COMPANIES_SQL = """
    SELECT count(DISTINCT company_key) FROM (
        SELECT coalesce(nullif(trim(m.business_id), ''), lower(trim(m.company))) AS company_key
        FROM visits AS v JOIN members AS m ON m.id = v.member_id
        WHERE v.checked_in_at >= :start AND v.checked_in_at < :end AND v.anonymised_at IS NULL
        UNION ALL
        SELECT lower(trim(g.company))
        FROM visits AS v JOIN guests AS g ON g.id = v.guest_id
        WHERE v.checked_in_at >= :start AND v.checked_in_at < :end AND v.anonymised_at IS NULL
    ) WHERE company_key IS NOT NULL AND company_key != ''
"""


def summary_rows(
    db: sqlite_utils.Database, month: Month, tz: ZoneInfo, language: str
) -> Iterator[list[Any]]:
    """Yield the single row of :data:`kiosk.reports.columns.SUMMARY` for the month."""
    check_language(language)
    start, end = month.db_bounds(tz)
    bounds = {"start": start, "end": end}
    total, members, guests, guest_visits, anonymised = db.conn.execute(
        _VISITS_SQL, bounds
    ).fetchone()
    (companies,) = db.conn.execute(_COMPANIES_SQL, bounds).fetchone()
    (new_members,) = db.conn.execute(
        "SELECT count(*) FROM members WHERE created_at >= :start AND created_at < :end", bounds
    ).fetchone()
    events = events_in_month(db, month, tz)
    held = [event for event in events if event["cancelled_at"] is None]
    seen = attendance(db, held)
    participants = set().union(*(a.attendees for a in seen.values()))
    yield [
        str(month),
        members + guests,
        members,
        guests,
        companies,
        total,
        total - int(guest_visits),
        int(guest_visits),
        int(anonymised),
        new_members,
        len(held),
        len(participants),
        sum(len(a.attendees) for a in seen.values()),
    ]
