"""The ``summary`` report: one row of the month's totals, for the funder's reporting.

* Visits count on their local check-in day, anonymised ones included: member and guest visits
  add up to the total, a visit through the guest form counting as a guest visit.
  ``anonymised_visits`` says how many of the total belong to no one the figures can tell
  apart (anonymised before anonymous keys were kept); a visit anonymised since keeps its key
  and is not in it, so retention and erasure leave this figure alone as well.
* People and companies are told apart as :mod:`kiosk.reports.facts` says, so anonymising a
  visit (retention, erasure) changes no figure here. Unique persons are distinct members plus
  distinct guests; an old anonymised visit with no key adds to the visits but not to persons.
* Unique companies follow :mod:`kiosk.companies`: Y-tunnus, else the case-folded name, with a
  name matched to a Y-tunnus another member gave.
* ``new_members`` counts member *records* created in the month (registrations), whether or
  not they visited. ``first_time_visitors`` counts people whose first visit ever was in the
  month, ``returning_visitors`` the other people who visited; the two add up to
  ``unique_persons``.
* ``auto_checkouts``: stays closed automatically at closing time (their length is unknown).
* Event figures follow :mod:`.events`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.reports.columns import check_language
from kiosk.reports.events import attendance, events_in_month
from kiosk.reports.facts import visit_facts
from kiosk.reports.month import Month


def summary_rows(
    db: sqlite_utils.Database, month: Month, tz: ZoneInfo, language: str
) -> Iterator[list[Any]]:
    """Yield the single row of :data:`kiosk.reports.columns.SUMMARY` for the month."""
    check_language(language)
    start, end = month.db_bounds(tz)
    facts = visit_facts(db, start, end, tz)
    members = {f.person for f in facts if f.person is not None and not f.guest_visit}
    guests = {f.person for f in facts if f.person is not None and f.guest_visit}
    first_timers = {f.person for f in facts if f.person is not None and f.first_visit}
    companies = {f.company for f in facts if f.company is not None and f.person is not None}
    guest_visits = sum(f.guest_visit for f in facts)
    anonymised = sum(f.person is None for f in facts)
    (new_members,) = db.conn.execute(
        "SELECT count(*) FROM members WHERE created_at >= ? AND created_at < ?", [start, end]
    ).fetchone()
    events = events_in_month(db, month, tz)
    held = [event for event in events if event["cancelled_at"] is None]
    seen = attendance(db, held, tz)
    participants = set().union(*(a.attendees for a in seen.values()))
    persons = len(members) + len(guests)
    yield [
        str(month),
        persons,
        len(members),
        len(guests),
        len(companies),
        len(facts),
        len(facts) - guest_visits,
        guest_visits,
        anonymised,
        new_members,
        len(first_timers),
        persons - len(first_timers),
        len(held),
        len(participants),
        sum(len(a.attendees) for a in seen.values()),
        sum(f.automatic for f in facts),
    ]
