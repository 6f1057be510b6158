"""What every report counts a visit by, the same before and after anonymisation.

A visit is counted by a *person key*, a *company key* and the person's optional profile
classes. While the visit still names its person these come from the member or guest; when it
is anonymised (retention, erasure) the values are first frozen onto the visit
(:mod:`kiosk.privacy.freeze`), so a closed month's figures never move:

* the person key is ``m<id>`` / ``g<id>``, or, once any of that person's visits in the month
  was anonymised, the month's anonymous key from ``report_keys`` (the same for all of the
  person's visits in that month, and nothing that leads back to them once the month is done);
* the company key is from :mod:`kiosk.companies`;
* the classes (size class, new company, gender, age band) are the person's answers.

An old anonymised visit with no key (anonymised before keys existed) counts as a visit but
not as a person, as it always did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.companies import company_key, known_companies
from kiosk.timeutil import from_db

PROFILE = ("size_class", "company_new", "gender", "age_band")


@dataclass(frozen=True, slots=True)
class VisitFact:
    """One visit as the figures see it."""

    id: int
    checked_in: datetime
    checked_out: datetime | None
    automatic: bool  # closed at closing time and not corrected by the person
    event_id: int | None
    person: str | None
    guest_visit: bool
    company: str | None
    size_class: str | None
    company_new: bool | None
    gender: str | None
    age_band: str | None
    first_visit: bool

    @property
    def timed_minutes(self) -> float | None:
        """The stay in minutes when it counts for time: closed, and not closed automatically."""
        if self.checked_out is None or self.automatic:
            return None
        return (self.checked_out - self.checked_in).total_seconds() / 60


def month_text(moment: datetime, tz: ZoneInfo) -> str:
    """``YYYY-MM`` of ``moment`` in ``tz``: the month a per-month key belongs to."""
    return moment.astimezone(tz).strftime("%Y-%m")


def live_person(member_id: int | None, guest_id: int | None) -> str | None:
    """The person key of a visit or registration that still names its person."""
    if member_id is not None:
        return f"m{member_id}"
    if guest_id is not None:
        return f"g{guest_id}"
    return None


class KeyBook:
    """The per-month anonymous keys, read once per report."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._keys = {
            (month, person): key
            for month, person, key in db.execute("SELECT month, person, key FROM report_keys")
        }
        self.people = {person for _month, person in self._keys}

    def person(self, live: str | None, month: str) -> str | None:
        """The key to count ``live`` (``m12``) by in ``month``."""
        if live is None:
            return None
        return self._keys.get((month, live), live)


_VISITS_SQL = """
    SELECT v.id, v.checked_in_at, v.checked_out_at, v.checkout_method,
           v.checkout_self_reported, v.event_id, v.member_id, v.guest_id, v.checkin_method,
           v.person_key, v.company_key, v.first_visit,
           coalesce(v.size_class, m.size_class, g.size_class),
           coalesce(v.company_new, m.company_new, g.company_new),
           coalesce(v.gender, m.gender, g.gender),
           coalesce(v.age_band, m.age_band, g.age_band),
           m.business_id, coalesce(m.company, g.company)
    FROM visits AS v
    LEFT JOIN members AS m ON m.id = v.member_id
    LEFT JOIN guests AS g ON g.id = v.guest_id
    WHERE v.checked_in_at >= ? AND v.checked_in_at < ? {extra}
    ORDER BY v.checked_in_at, v.id
"""


def visit_facts(
    db: sqlite_utils.Database, start: str, end: str, tz: ZoneInfo, *, with_event: bool = False
) -> list[VisitFact]:
    """The visits that checked in from ``start`` until ``end`` (stored UTC text), as facts.

    With ``with_event``, only the visits checked in to an event.
    """
    keys = KeyBook(db)
    known = known_companies(db)
    companies: dict[tuple[str | None, str | None], str | None] = {}
    sql = _VISITS_SQL.format(extra="AND v.event_id IS NOT NULL" if with_event else "")
    facts = []
    for row in db.execute(sql, [start, end]):
        (visit_id, checked_in_at, checked_out_at, method, self_reported, event_id, member_id,
         guest_id, checkin_method, person_key, frozen_company, first_visit, size_class,
         company_new, gender, age_band, business_id, company) = row  # fmt: skip
        checked_in = from_db(checked_in_at)
        person = person_key or live_person(member_id, guest_id)
        if person in keys.people:  # some of this person's visits were anonymised
            person = keys.person(person, month_text(checked_in, tz))
        if not frozen_company:
            pair = (business_id, company)
            if pair not in companies:
                companies[pair] = company_key(business_id, company, known)
            frozen_company = companies[pair]
        facts.append(
            VisitFact(
                id=visit_id,
                checked_in=checked_in,
                checked_out=from_db(checked_out_at) if checked_out_at else None,
                automatic=method == "automatic" and not self_reported,
                event_id=event_id,
                person=person,
                guest_visit=checkin_method == "guest",
                company=frozen_company,
                size_class=size_class,
                company_new=None if company_new is None else bool(company_new),
                gender=gender,
                age_band=age_band,
                first_visit=bool(first_visit),
            )
        )
    return facts


def registration_people(
    db: sqlite_utils.Database, event_ids: Iterable[int], tz: ZoneInfo
) -> list[dict[str, Any]]:
    """Registrations of ``event_ids``: event, person key (as :func:`visit_facts`), attended."""
    ids = list(event_ids)
    if not ids:
        return []
    keys = KeyBook(db)
    marks = ",".join("?" * len(ids))  # only placeholders; the ids travel as parameters
    rows = db.execute(
        "SELECT r.event_id, r.member_id, r.guest_id, r.person_key, r.attended_at, e.starts_at "  # noqa: S608
        "FROM event_registrations AS r JOIN events AS e ON e.id = r.event_id "
        f"WHERE r.event_id IN ({marks}) ORDER BY r.id",
        ids,
    ).fetchall()
    result = []
    for event_id, member_id, guest_id, person_key, attended_at, starts_at in rows:
        month = month_text(from_db(starts_at), tz)
        person = person_key or keys.person(live_person(member_id, guest_id), month)
        result.append({"event_id": event_id, "person": person, "attended": attended_at is not None})
    return result
