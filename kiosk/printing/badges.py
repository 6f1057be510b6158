"""When the door prints a badge, and what goes on it; the print queue does the printing.

Guests always get a badge. Members get one by the policy in KIOSK_MEMBER_BADGE_POLICY:
``never``, ``first_visit_of_day`` or ``button`` (a "print my badge" button on the greeting).
Queuing never fails a check-in: it only writes a job, and a printer that is off leaves the
job waiting (see kiosk.printing.queue).
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from kiosk.guests import GuestSignIn
from kiosk.printing import queue as print_queue
from kiosk.settings import Settings
from kiosk.timeutil import from_db, local_day_bounds, to_db
from kiosk.visits import visit_person
from printer.badge import badge_date_text


def _common(now: datetime, settings: Settings, language: str) -> dict[str, str]:
    return {
        "date_text": badge_date_text(now.astimezone(settings.tz), language),
        "logo": settings.badge_logo or "",
        "language": language,
    }


def queue_guest_badge(
    db: sqlite_utils.Database, guest: GuestSignIn, now: datetime, settings: Settings
) -> int:
    """Queue a guest's badge, whose QR (the guest card) checks the guest out."""
    person = visit_person(db, guest.visit_id)
    payload = {
        "first_name": guest.first_name,
        "name": guest.name,
        "company": guest.company,
        "role": "guest",
        "host": guest.host_name,
        "token": guest.card_token,
        **_common(now, settings, person["language"]),
    }
    return print_queue.enqueue(db, "guest_badge", payload, now, visit_id=guest.visit_id)


def queue_member_badge(
    db: sqlite_utils.Database, visit_id: int, now: datetime, settings: Settings
) -> int:
    """Queue a member's badge for the visit, with their "Kysy minulta" line; once a visit.

    A member's badge has no QR code: their card's token on a sticker that ends up in a bin
    would be a copy of the card. (A guest's badge carries its one-visit guest card.) A second
    press of "print my badge" returns the job already queued for the visit.
    """
    existing = db.execute(
        "SELECT id FROM print_jobs WHERE visit_id = ? AND kind = 'member_badge' "
        "AND status != 'cancelled' ORDER BY id LIMIT 1",
        [visit_id],
    ).fetchone()
    if existing:
        return existing[0]
    person = visit_person(db, visit_id)
    member = list(db.query("SELECT * FROM members WHERE id = ?", [person["member_id"]]))[0]
    payload = {
        "first_name": member["first_name"],
        "name": member["name"],
        "company": member["company"] or "",
        "role": "member",
        "ask_me": member["interests"] or "",
        **_common(now, settings, member["language"]),
    }
    return print_queue.enqueue(db, "member_badge", payload, now, visit_id=visit_id)


def first_visit_of_day(
    db: sqlite_utils.Database, member_id: int, visit_id: int, settings: Settings
) -> bool:
    """Tell whether ``visit_id`` is the member's first visit of its local day."""
    visit = visit_person(db, visit_id)
    day = from_db(visit["checked_in_at"]).astimezone(settings.tz).date()
    start, _end = local_day_bounds(day, settings.tz)
    earlier = db.execute(
        "SELECT count(*) FROM visits WHERE member_id = ? AND checked_in_at >= ? AND id < ?",
        [member_id, to_db(start), visit_id],
    ).fetchone()[0]
    return earlier == 0


def after_member_check_in(
    db: sqlite_utils.Database,
    member_id: int,
    visit_id: int,
    now: datetime,
    settings: Settings,
) -> int | None:
    """Apply the member badge policy after a card check-in; return a job id if one was queued."""
    if settings.member_badge_policy != "first_visit_of_day":
        return None
    if not first_visit_of_day(db, member_id, visit_id, settings):
        return None
    return queue_member_badge(db, visit_id, now, settings)
