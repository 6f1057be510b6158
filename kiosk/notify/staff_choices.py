"""Each staff member's notification choices: address, kinds, on duty, quiet hours."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.closing import closing_moment
from kiosk.errors import InvalidInput, NotFound
from kiosk.notify.addresses import clean_email
from kiosk.timeutil import from_db, to_db

# What a staff member can choose to receive. "digest" is off until asked for.
STAFF_KINDS = ("request", "low_mood", "guest", "reminder", "digest")
DEFAULT_KINDS = ("request", "low_mood", "guest", "reminder")
# Kinds that go only to hosts on duty: someone has to be there to answer them.
ON_DUTY_KINDS = ("request", "low_mood", "reminder")


@dataclass(frozen=True)
class Choices:
    """What a staff member saves on the notification settings page."""

    email: str = ""
    display_name: str = ""
    kinds: tuple[str, ...] = DEFAULT_KINDS
    quiet_from: str = ""
    quiet_until: str = ""


def _clock_time(text: str, field: str) -> str | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        hours, minutes = text.replace(".", ":").split(":")
        return time(int(hours), int(minutes)).strftime("%H:%M")
    except ValueError:
        raise InvalidInput("a time looks like 21:30", field) from None


def get_staff(db: sqlite_utils.Database, user_id: int) -> dict[str, Any]:
    """A staff member with ``kinds`` decoded; NotFound when there is none."""
    rows = list(db.query("SELECT * FROM staff_users WHERE id = ?", [user_id]))
    if not rows:
        raise NotFound(f"no staff user {user_id}")
    return _decoded(rows[0])


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    try:
        row["kinds"] = [k for k in json.loads(row.get("notify_kinds") or "[]") if k in STAFF_KINDS]
    except ValueError:
        row["kinds"] = list(DEFAULT_KINDS)
    row["shown_name"] = row.get("display_name") or row["username"]
    return row


def save_choices(db: sqlite_utils.Database, user_id: int, choices: Choices) -> None:
    """Store the choices; an invalid address or time raises InvalidInput and saves nothing."""
    email = clean_email(choices.email) if choices.email.strip() else None
    unknown = [k for k in choices.kinds if k not in STAFF_KINDS]
    if unknown:
        raise InvalidInput(f"unknown notification kind {unknown[0]!r}", "kinds")
    quiet_from = _clock_time(choices.quiet_from, "quiet_from")
    quiet_until = _clock_time(choices.quiet_until, "quiet_until")
    if (quiet_from is None) != (quiet_until is None):
        raise InvalidInput("quiet hours need both a start and an end", "quiet_from")
    name = " ".join(choices.display_name.split())[:60] or None
    get_staff(db, user_id)
    db["staff_users"].update(
        user_id,
        {
            "email": email,
            "display_name": name,
            "notify_kinds": json.dumps([k for k in STAFF_KINDS if k in choices.kinds]),
            "quiet_from": quiet_from,
            "quiet_until": quiet_until,
        },
    )


def set_email(db: sqlite_utils.Database, user_id: int, email: str) -> str:
    """Set only the address (``kiosk staff add --email``); return it in normal form."""
    cleaned = clean_email(email)
    db["staff_users"].update(user_id, {"email": cleaned})
    return cleaned


def set_on_duty(
    db: sqlite_utils.Database, user_id: int, on: bool, now: datetime, closing: time, tz: ZoneInfo
) -> datetime | None:
    """Switch on duty until the next closing time (so nobody stays on duty overnight), or off."""
    until = closing_moment(now, closing, tz) if on else None
    db["staff_users"].update(user_id, {"on_duty_until": to_db(until) if until else None})
    return until


def on_duty(staff: dict[str, Any], now: datetime) -> bool:
    """Whether the staff member is on duty at ``now``."""
    until = staff.get("on_duty_until")
    return bool(until) and from_db(until) > now


def in_quiet_hours(staff: dict[str, Any], now: datetime, tz: ZoneInfo) -> bool:
    """Whether ``now`` falls in the person's quiet hours (which may run over midnight)."""
    start, end = staff.get("quiet_from"), staff.get("quiet_until")
    if not start or not end or start == end:
        return False
    clock = now.astimezone(tz).strftime("%H:%M")
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def reachable_staff(
    db: sqlite_utils.Database, kind: str, now: datetime, tz: ZoneInfo
) -> list[dict[str, Any]]:
    """Active staff with an address who take ``kind`` now: on duty where the kind needs it,
    and never in their quiet hours."""
    people = []
    for row in db.query(
        "SELECT * FROM staff_users WHERE active = 1 AND email IS NOT NULL ORDER BY id"
    ):
        staff = _decoded(row)
        if kind not in staff["kinds"] or in_quiet_hours(staff, now, tz):
            continue
        if kind in ON_DUTY_KINDS and not on_duty(staff, now):
            continue
        people.append(staff)
    return people


def guest_hosts(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Staff a guest can name at the door: active, with an address, taking guest messages."""
    hosts = [
        _decoded(row)
        for row in db.query(
            "SELECT * FROM staff_users WHERE active = 1 AND email IS NOT NULL ORDER BY id"
        )
    ]
    chosen = [h for h in hosts if "guest" in h["kinds"]]
    return sorted(chosen, key=lambda h: h["shown_name"].lower())


def find_guest_host(db: sqlite_utils.Database, text: str) -> dict[str, Any] | None:
    """The staff member a guest named (by the id chosen, or by typing the name exactly)."""
    text = (text or "").strip()
    if not text:
        return None
    for host in guest_hosts(db):
        if text == f"staff:{host['id']}" or text.lower() == host["shown_name"].lower():
            return host
    return None
