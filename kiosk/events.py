"""Events: coaching, workshops, recreation and peer groups; registrations, attendance, name tags.

Plain functions over a Database and a ``now`` (aware UTC); no Flask.

Rules:

* An event has a title, a kind (:data:`KINDS`), a start before its end, and optionally a room,
  a capacity (at least 1; empty means no limit), a host and a description. Cancelling keeps
  the event (the reports list it as cancelled) and refuses new registrations.
* A member or a guest registers at most once per event; registering again is not an error.
  Capacity counts registrations, inside one write transaction, so two people tapping
  "osallistun" at once cannot both take the last place (:class:`EventFull`).
* Attendance (``attended_at``) is what the funder counts (see :mod:`kiosk.reports.events`).
  A registered person attends when they are in the house while the event runs:
  registering during the event while checked in marks it at once; a check-in scan during the
  event marks it (:func:`record_arrival`); and :func:`settle_attendance` marks the
  registrations whose person's visit overlapped the event (run on every check-in, on the staff
  event pages and, ideally, at closing time).
* **Walk-ins are not registered automatically.** Someone checking in while a workshop runs may
  have come for coffee or coworking; counting them would inflate the funder's figures and
  could take a place from someone who registered. Their greeting offers the running event
  with an "Osallistun" button instead: one tap registers them (capacity respected) and, the
  event running, marks them attended.
* Name tags: one print job per registered person (``name_tag``), with the event's title and
  the person's "Kysy minulta" topics. A name tag carries no QR code: it is worn in a group, and
  a member's card token on a sticker would let anyone check them in or out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.errors import FormInvalid, KioskError, NotFound
from kiosk.names import clean_text
from kiosk.printing import queue as print_queue
from kiosk.timeutil import from_db, local_day_bounds, to_db
from kiosk.transactions import write_transaction
from printer.badge import LABELS, badge_date_text

KINDS = ("valmennus", "työpaja", "virkistys", "vertaisryhmä", "muu")
MAX_TITLE_LENGTH = 120
MAX_DESCRIPTION_LENGTH = 1000
MAX_CAPACITY = 10_000


class EventFull(KioskError):
    """Every place of the event is taken."""


class EventClosed(KioskError):
    """The event is cancelled or already over: it takes no registrations."""


@dataclass
class EventInput:
    """An event as typed into the staff form: local date and times as text."""

    title: str
    kind: str = "muu"
    day: str = ""  # YYYY-MM-DD, local
    starts: str = ""  # HH:MM, local
    ends: str = ""  # HH:MM, local
    room: str = ""
    capacity: str = ""
    host: str = ""
    description: str = ""


@dataclass(frozen=True)
class Registration:
    """A person's place on an event; ``created`` is False when they were already registered."""

    id: int
    event_id: int
    created: bool
    attended: bool


def _parse_time(text: str) -> time | None:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        return None


def validate_event(form: EventInput, tz: ZoneInfo) -> dict[str, Any]:
    """Check a staff form and return the row to store; raise FormInvalid with every fault."""
    errors: dict[str, str] = {}
    row: dict[str, Any] = {}
    for name, limit in (("title", MAX_TITLE_LENGTH), ("room", 80), ("host", 120)):
        try:
            row[name] = clean_text(getattr(form, name), field=name, max_length=limit) or None
        except KioskError as exc:
            errors[name] = str(exc)
    if "title" not in errors and not row.get("title"):
        errors["title"] = "the event needs a title"
    try:
        row["description"] = (
            clean_text(form.description, field="description", max_length=MAX_DESCRIPTION_LENGTH)
            or None
        )
    except KioskError as exc:
        errors["description"] = str(exc)
    kind = (form.kind or "").strip()
    if kind not in KINDS:
        errors["kind"] = f"kind must be one of {', '.join(KINDS)}"
    row["kind"] = kind
    capacity_text = (form.capacity or "").strip()
    row["capacity"] = None
    if capacity_text:
        if not capacity_text.isdigit() or not 1 <= int(capacity_text) <= MAX_CAPACITY:
            errors["capacity"] = "capacity must be a whole number of at least 1, or empty"
        else:
            row["capacity"] = int(capacity_text)
    try:
        day = date.fromisoformat((form.day or "").strip())
    except ValueError:
        day = None
        errors["day"] = "the date must look like 2026-11-26"
    starts, ends = _parse_time(form.starts or ""), _parse_time(form.ends or "")
    if starts is None:
        errors["starts"] = "the start time must look like 13:00"
    if ends is None:
        errors["ends"] = "the end time must look like 15:30"
    if day and starts and ends:
        start_at = datetime.combine(day, starts, tzinfo=tz)
        end_at = datetime.combine(day, ends, tzinfo=tz)
        if end_at <= start_at:
            errors["ends"] = "the event must end after it starts"
        row["starts_at"], row["ends_at"] = to_db(start_at), to_db(end_at)
    if errors:
        raise FormInvalid(errors)
    return row


def form_from_event(event: dict[str, Any], tz: ZoneInfo) -> EventInput:
    """The staff form's values for an existing event (to edit it)."""
    start = from_db(event["starts_at"]).astimezone(tz)
    end = from_db(event["ends_at"]).astimezone(tz)
    return EventInput(
        title=event["title"],
        kind=event["kind"],
        day=start.date().isoformat(),
        starts=start.strftime("%H:%M"),
        ends=end.strftime("%H:%M"),
        room=event["room"] or "",
        capacity="" if event["capacity"] is None else str(event["capacity"]),
        host=event["host"] or "",
        description=event["description"] or "",
    )


def create_event(db: sqlite_utils.Database, form: EventInput, now: datetime, tz: ZoneInfo) -> int:
    """Validate and store a new event; return its id."""
    row = validate_event(form, tz)
    row["created_at"] = to_db(now)
    with write_transaction(db):
        return int(db["events"].insert(row).last_pk)


def update_event(db: sqlite_utils.Database, event_id: int, form: EventInput, tz: ZoneInfo) -> None:
    """Replace an event's details. A lower capacity never removes anyone already registered."""
    get_event(db, event_id)
    row = validate_event(form, tz)
    with write_transaction(db):
        db["events"].update(event_id, row)


def cancel_event(db: sqlite_utils.Database, event_id: int, now: datetime) -> bool:
    """Cancel an event; False when it was already cancelled. Registrations stay for the record."""
    get_event(db, event_id)
    cursor = db.execute(
        "UPDATE events SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL",
        [to_db(now), event_id],
    )
    return cursor.rowcount == 1


def get_event(db: sqlite_utils.Database, event_id: int) -> dict[str, Any]:
    """Return the event row with ``registered``, ``attended`` and ``full``; raise NotFound."""
    rows = _with_counts(db, "WHERE e.id = ?", [event_id])
    if not rows:
        raise NotFound(f"no event with id {event_id}")
    return rows[0]


_COUNTS_SQL = """
    SELECT e.*,
           (SELECT count(*) FROM event_registrations r WHERE r.event_id = e.id) AS registered,
           (SELECT count(*) FROM event_registrations r
             WHERE r.event_id = e.id AND r.attended_at IS NOT NULL) AS attended
    FROM events e
"""


def _with_counts(db: sqlite_utils.Database, where: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = list(db.query(_COUNTS_SQL + where + " ORDER BY e.starts_at, e.id", params))
    for row in rows:
        row["full"] = row["capacity"] is not None and row["registered"] >= row["capacity"]
        row["places_left"] = (
            None if row["capacity"] is None else max(0, row["capacity"] - row["registered"])
        )
    return rows


def events_between(
    db: sqlite_utils.Database, start: datetime, end: datetime, *, include_cancelled: bool = True
) -> list[dict[str, Any]]:
    """Events that start in ``[start, end)``, in order of start, with their counts."""
    where = "WHERE e.starts_at >= ? AND e.starts_at < ?"
    if not include_cancelled:
        where += " AND e.cancelled_at IS NULL"
    return _with_counts(db, where, [to_db(start), to_db(end)])


def todays_events(
    db: sqlite_utils.Database, now: datetime, tz: ZoneInfo, *, include_past: bool = False
) -> list[dict[str, Any]]:
    """The events of today (local day), not cancelled; by default only those not yet over."""
    start, end = local_day_bounds(now.astimezone(tz).date(), tz)
    events = events_between(db, start, end, include_cancelled=False)
    if include_past:
        return events
    return [event for event in events if from_db(event["ends_at"]) > now]


def running_events(db: sqlite_utils.Database, now: datetime) -> list[dict[str, Any]]:
    """The events going on at ``now`` (started, not ended, not cancelled)."""
    stamp = to_db(now)
    return _with_counts(
        db,
        "WHERE e.starts_at <= ? AND e.ends_at > ? AND e.cancelled_at IS NULL",
        [stamp, stamp],
    )


def is_running(event: dict[str, Any], now: datetime) -> bool:
    """Tell whether ``event`` goes on at ``now``."""
    return event["cancelled_at"] is None and from_db(event["starts_at"]) <= now < from_db(
        event["ends_at"]
    )


# --- registrations --------------------------------------------------------------------------


def _person_clause(member_id: int | None, guest_id: int | None) -> tuple[str, int]:
    if (member_id is None) == (guest_id is None):
        raise ValueError("give exactly one of member_id and guest_id")
    return ("member_id", member_id) if member_id is not None else ("guest_id", guest_id)  # type: ignore[return-value]


def find_registration(
    db: sqlite_utils.Database,
    event_id: int,
    *,
    member_id: int | None = None,
    guest_id: int | None = None,
) -> dict[str, Any] | None:
    """The person's registration for the event, if any."""
    column, value = _person_clause(member_id, guest_id)
    rows = list(
        db.query(
            f"SELECT * FROM event_registrations WHERE event_id = ? AND {column} = ?",  # noqa: S608
            [event_id, value],
        )
    )
    return rows[0] if rows else None


def register(
    db: sqlite_utils.Database,
    event_id: int,
    now: datetime,
    *,
    member_id: int | None = None,
    guest_id: int | None = None,
    visit_id: int | None = None,
) -> Registration:
    """Register a member or a guest for an event; return the (new or existing) registration.

    Raises :class:`EventFull` when every place is taken and :class:`EventClosed` when the event
    is cancelled or over. Being registered already is not an error: the existing registration
    comes back with ``created=False``. Given the person's open ``visit_id`` while the event
    runs, attendance is marked at once (they are in the house, joining it).
    """
    column, value = _person_clause(member_id, guest_id)
    with write_transaction(db):
        event = get_event(db, event_id)
        running = is_running(event, now) and visit_id is not None
        existing = find_registration(db, event_id, member_id=member_id, guest_id=guest_id)
        if existing is not None:
            attended = existing["attended_at"] is not None
            if running and not attended:
                _mark(db, existing["id"], now, visit_id)
                attended = True
            return Registration(existing["id"], event_id, False, attended)
        if event["cancelled_at"] is not None or from_db(event["ends_at"]) <= now:
            raise EventClosed(f"event {event_id} takes no registrations")
        if event["full"]:
            raise EventFull(f"event {event_id} is full ({event['capacity']} places)")
        registration_id = (
            db["event_registrations"]
            .insert(
                {
                    "event_id": event_id,
                    column: value,
                    "visit_id": visit_id,
                    "registered_at": to_db(now),
                    "attended_at": to_db(now) if running else None,
                }
            )
            .last_pk
        )
        if running:
            _link_visit(db, visit_id, event_id)
    return Registration(int(registration_id), event_id, True, running)


def unregister(db: sqlite_utils.Database, registration_id: int) -> bool:
    """Remove a registration (staff, for someone who cancelled); False if there was none."""
    cursor = db.execute("DELETE FROM event_registrations WHERE id = ?", [registration_id])
    return cursor.rowcount == 1


def _mark(db: sqlite_utils.Database, registration_id: int, at: datetime, visit_id: int | None):
    db.execute(
        "UPDATE event_registrations SET attended_at = ?, visit_id = coalesce(visit_id, ?) "
        "WHERE id = ? AND attended_at IS NULL",
        [to_db(at), visit_id, registration_id],
    )


def _link_visit(db: sqlite_utils.Database, visit_id: int | None, event_id: int) -> None:
    # The visit's event_id says "came for this event" (the reports count it too); a visit that
    # joins two events keeps the first.
    if visit_id is not None:
        db.execute(
            "UPDATE visits SET event_id = ? WHERE id = ? AND event_id IS NULL",
            [event_id, visit_id],
        )


def set_attended(
    db: sqlite_utils.Database, registration_id: int, attended: bool, now: datetime
) -> None:
    """Mark (or unmark) a registration attended by hand, from the staff page."""
    rows = list(db.query("SELECT id FROM event_registrations WHERE id = ?", [registration_id]))
    if not rows:
        raise NotFound(f"no registration with id {registration_id}")
    db.execute(
        "UPDATE event_registrations SET attended_at = ? WHERE id = ?",
        [to_db(now) if attended else None, registration_id],
    )


def person_registrations(
    db: sqlite_utils.Database,
    event_ids: Iterable[int],
    *,
    member_id: int | None = None,
    guest_id: int | None = None,
) -> set[int]:
    """Which of ``event_ids`` the person is registered for."""
    ids = list(event_ids)
    if not ids:
        return set()
    column, value = _person_clause(member_id, guest_id)
    marks = ",".join("?" * len(ids))
    return {
        row["event_id"]
        for row in db.query(
            f"SELECT event_id FROM event_registrations WHERE {column} = ? "  # noqa: S608
            f"AND event_id IN ({marks})",
            [value, *ids],
        )
    }


def registrations(db: sqlite_utils.Database, event_id: int) -> list[dict[str, Any]]:
    """Everyone registered for an event, with name and company (staff pages only)."""
    return list(
        db.query(
            """
            SELECT r.*, COALESCE(m.name, g.name) AS name,
                   COALESCE(m.first_name, g.first_name) AS first_name,
                   COALESCE(m.company, g.company) AS company,
                   COALESCE(m.language, g.language) AS language,
                   m.interests, m.can_help_with,
                   CASE WHEN r.member_id IS NOT NULL THEN 'member' ELSE 'guest' END AS kind,
                   EXISTS (SELECT 1 FROM visits v WHERE v.checked_out_at IS NULL AND
                           ((r.member_id IS NOT NULL AND v.member_id = r.member_id) OR
                            (r.guest_id IS NOT NULL AND v.guest_id = r.guest_id))) AS present
            FROM event_registrations r
            LEFT JOIN members m ON m.id = r.member_id
            LEFT JOIN guests g ON g.id = r.guest_id
            WHERE r.event_id = ?
            ORDER BY r.registered_at, r.id
            """,
            [event_id],
        )
    )


# --- attendance -----------------------------------------------------------------------------


def record_arrival(
    db: sqlite_utils.Database,
    member_id: int | None,
    guest_id: int | None,
    visit_id: int,
    now: datetime,
    tz: ZoneInfo,
) -> list[int]:
    """A check-in scan at ``now``: mark the person attended on the events running now that they
    registered for; return those registration ids.

    Walk-ins are not registered (see the module's notes). The same pass also settles the
    attendance of everyone else in the house for the running events (:func:`settle_attendance`),
    so a check-in is a natural tick that keeps the figures current.
    """
    marked: list[int] = []
    # Most check-ins happen with no event running: a read answers that without taking the
    # write lock, which every other scan is queuing for.
    if not running_events(db, now):
        return marked
    with write_transaction(db):
        running = running_events(db, now)
        if running and (member_id is not None or guest_id is not None):
            for event in running:
                found = find_registration(db, event["id"], member_id=member_id, guest_id=guest_id)
                if found is None:
                    continue
                if found["attended_at"] is None:
                    _mark(db, found["id"], now, visit_id)
                    marked.append(found["id"])
                _link_visit(db, visit_id, event["id"])
        if running:
            settle_attendance(db, now, event_ids=[event["id"] for event in running])
    return marked


_SETTLE_SQL = """
    SELECT r.id AS registration_id, v.id AS visit_id,
           max(v.checked_in_at, e.starts_at) AS attended_at
    FROM event_registrations r
    JOIN events e ON e.id = r.event_id
    JOIN visits v ON ((r.member_id IS NOT NULL AND v.member_id = r.member_id)
                      OR (r.guest_id IS NOT NULL AND v.guest_id = r.guest_id))
    WHERE r.attended_at IS NULL AND e.cancelled_at IS NULL
      AND e.starts_at <= :now
      AND v.checked_in_at < e.ends_at AND v.checked_in_at <= :now
      AND (v.checked_out_at IS NULL OR v.checked_out_at > e.starts_at)
"""


def events_started_between(db: sqlite_utils.Database, start: datetime, end: datetime) -> list[int]:
    """Ids of the events that started in [start, end): what a periodic settle needs to look at."""
    return [
        row["id"]
        for row in db.query(
            "SELECT id FROM events WHERE starts_at >= ? AND starts_at < ? AND cancelled_at IS NULL",
            [to_db(start), to_db(end)],
        )
    ]


def settle_attendance(
    db: sqlite_utils.Database, now: datetime, event_ids: Iterable[int] | None = None
) -> int:
    """Mark attended every registration whose person was in the house during the event.

    A visit counts when it overlapped the event (checked in before the event ended and out
    after it began, or still open). The time recorded is when the person was first present
    during the event. Idempotent; returns how many registrations it marked.
    """
    sql = _SETTLE_SQL
    params: dict[str, Any] = {"now": to_db(now)}
    if event_ids is not None:
        ids = list(event_ids)
        if not ids:
            return 0
        sql += " AND r.event_id IN (" + ",".join(f":e{i}" for i in range(len(ids))) + ")"
        params.update({f"e{i}": value for i, value in enumerate(ids)})
    sql += " ORDER BY v.checked_in_at"
    marked = 0
    with write_transaction(db):
        seen: set[int] = set()
        for row in list(db.query(sql, params)):
            if row["registration_id"] in seen:
                continue
            seen.add(row["registration_id"])
            db.execute(
                "UPDATE event_registrations SET attended_at = ?, "
                "visit_id = coalesce(visit_id, ?) WHERE id = ? AND attended_at IS NULL",
                [row["attended_at"], row["visit_id"], row["registration_id"]],
            )
            marked += 1
    return marked


# --- name tags ------------------------------------------------------------------------------


def _ask_me(row: dict[str, Any]) -> str:
    return row.get("interests") or row.get("can_help_with") or ""


def name_tag_payload(
    event: dict[str, Any], person: dict[str, Any], tz: ZoneInfo, logo: str = ""
) -> dict[str, str]:
    """The ``name_tag`` print payload for one registered person (a row of registrations())."""
    language = person["language"] if person["language"] in LABELS else "fi"
    return {
        "first_name": person["first_name"],
        "name": person["name"],
        "company": person["company"] or "",
        "role": person["kind"],
        "title": event["title"],
        "date_text": badge_date_text(from_db(event["starts_at"]).astimezone(tz), language),
        "ask_me": _ask_me(person),
        "logo": logo,
        "language": language,
    }


def queue_name_tags(
    db: sqlite_utils.Database,
    event_id: int,
    now: datetime,
    tz: ZoneInfo,
    *,
    logo: str = "",
    registration_ids: Iterable[int] | None = None,
) -> list[int]:
    """Queue a name tag for everyone registered (or only ``registration_ids``); return job ids.

    People whose data was erased are skipped: there is no name left to print.
    """
    event = get_event(db, event_id)
    wanted = None if registration_ids is None else set(registration_ids)
    jobs: list[int] = []
    with write_transaction(db):
        for person in registrations(db, event_id):
            if wanted is not None and person["id"] not in wanted:
                continue
            if not (person["first_name"] or "").strip():
                continue
            payload = name_tag_payload(event, person, tz, logo)
            jobs.append(
                print_queue.enqueue(db, "name_tag", payload, now, visit_id=person["visit_id"])
            )
    return jobs


# --- demo -----------------------------------------------------------------------------------


def seed_demo_events(db: sqlite_utils.Database, now: datetime, tz: ZoneInfo) -> list[int]:
    """Add demo events: a workshop today 13–16 and a peer group two days later 17–19."""
    today = now.astimezone(tz).date()
    demo = [
        EventInput(
            title="Somemarkkinoinnin työpaja",
            kind="työpaja",
            day=today.isoformat(),
            starts="13:00",
            ends="16:00",
            room="Iso neuvotteluhuone",
            capacity="12",
            host="Heimo",
            description="Demo: kuvat, tekstit ja julkaisukalenteri omalle yritykselle.",
        ),
        EventInput(
            title="Yrittäjien vertaisryhmä",
            kind="vertaisryhmä",
            day=(today + timedelta(days=2)).isoformat(),
            starts="17:00",
            ends="19:00",
            room="Olohuone",
            capacity="",
            host="Heimo",
            description="Demo: jaksaminen ja arjen vinkit, kahvin kera.",
        ),
    ]
    return [create_event(db, form, now, tz) for form in demo]
