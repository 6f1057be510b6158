"""Check-in and check-out: the one function every scan ends in, and the visit rules.

A scan of an active member card checks the member in; another scan after the minimum stay
checks them out. A scan inside the minimum stay, or just after a check-out, is a ``repeat``
and writes no visit; so is a scan within a few hours after the door checked the person out
at closing time (they are leaving late, and a new visit would run until the next closing).
A guest card checks its guest out and then stops working. Unknown,
revoked or malformed codes are refused and logged (as a digest, never the raw text).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.cards import find_card, looks_like_token
from kiosk.errors import NotFound
from kiosk.timeutil import from_db, to_db
from kiosk.transactions import write_transaction

MAX_CODE_LENGTH = 512
# A scan queued by a scanner while the server was away keeps the time it was seen, within
# reason: at most 12 hours back, never before the start of the current local day (so a visit
# cannot be moved to yesterday), and at most a minute ahead. Outside that window the time
# the server received it counts.
SEEN_AT_MAX_AGE = timedelta(hours=12)
SEEN_AT_MAX_SKEW = timedelta(minutes=1)
LONG_BREAK = timedelta(days=28)
# A scan this soon after the door checked the person out at closing time is someone still in
# the house leaving late, not a new visit (which would run until the next day's closing).
AFTER_CLOSING_WINDOW = timedelta(hours=6)


class ScanResult(StrEnum):
    """What a scan did; the values are the API's ``result`` field."""

    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    REPEAT = "repeat"
    UNKNOWN = "unknown"
    REVOKED = "revoked"


@dataclass(frozen=True)
class ScanRules:
    """The timing rules of the door."""

    min_stay: timedelta = timedelta(minutes=2)
    repeat_window: timedelta = timedelta(seconds=60)
    timezone: tzinfo = ZoneInfo("Europe/Helsinki")  # where "today" is, for queued scans


@dataclass
class ScanOutcome:
    """The answer to a scan, with what the greeting screen needs."""

    result: ScanResult
    visit_id: int | None = None
    first_name: str | None = None
    member_id: int | None = None
    guest_id: int | None = None
    language: str | None = None
    first_visit: bool = False
    long_break: bool = False
    at: str | None = None
    replayed: bool = False  # the answer to a retried request, already acted on once
    closed_at_closing: bool = False  # a late scan after the closing-time check-out
    ask_left_visit: int | None = None  # an automatic check-out the person may correct

    def as_dict(self) -> dict[str, Any]:
        """Return the outcome as plain JSON-ready data."""
        data = asdict(self)
        data["result"] = self.result.value
        return data


def code_digest(code: str) -> str:
    """Return a short digest of a scanned code, so that logs never hold a card token."""
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()[:16]


def event_time(now: datetime, seen_at: datetime | None, timezone: tzinfo | None = None) -> datetime:
    """Return when the scan happened: ``seen_at`` when plausible, else ``now``.

    Plausible means within :data:`SEEN_AT_MAX_AGE` before ``now`` and
    :data:`SEEN_AT_MAX_SKEW` after it; a time before the start of ``now``'s local day (in
    ``timezone``) is clamped to that start, so a queued scan never lands on yesterday.
    """
    if seen_at is None or seen_at.tzinfo is None:
        return now
    if not now - SEEN_AT_MAX_AGE <= seen_at <= now + SEEN_AT_MAX_SKEW:
        return now
    moment = min(seen_at, now)
    zone = timezone or ScanRules.timezone
    local_now = now.astimezone(zone)
    day_start = datetime.combine(local_now.date(), time(0), tzinfo=zone)
    return max(moment, day_start.astimezone(now.tzinfo))


def open_visit(
    db: sqlite_utils.Database, *, member_id: int | None = None, guest_id: int | None = None
) -> dict[str, Any] | None:
    """Return the person's visit that has no check-out yet, if any."""
    column, value = ("member_id", member_id) if member_id is not None else ("guest_id", guest_id)
    rows = list(
        db.query(
            f"SELECT * FROM visits WHERE {column} = ? AND checked_out_at IS NULL "  # noqa: S608
            "ORDER BY checked_in_at DESC LIMIT 1",
            [value],
        )
    )
    return rows[0] if rows else None


def _last_visit(db: sqlite_utils.Database, column: str, value: int) -> dict[str, Any] | None:
    rows = list(
        db.query(
            f"SELECT * FROM visits WHERE {column} = ? "  # noqa: S608
            "ORDER BY checked_in_at DESC LIMIT 1",
            [value],
        )
    )
    return rows[0] if rows else None


def _log_scan(
    db: sqlite_utils.Database,
    *,
    key: str | None,
    device: str,
    code: str,
    outcome: ScanOutcome,
    seen_at: datetime,
    now: datetime,
) -> None:
    db["scans"].insert(
        {
            "idempotency_key": key,
            "device": device,
            "code_digest": code_digest(code),
            "result": outcome.result.value,
            "visit_id": outcome.visit_id,
            "seen_at": to_db(seen_at),
            "received_at": to_db(now),
        }
    )


def _replay(db: sqlite_utils.Database, key: str, device: str, code: str) -> ScanOutcome | None:
    # A key names a retried delivery of one code by one device; the same key with another
    # code (or from another device) is a different scan, never someone else's answer.
    rows = list(
        db.query(
            "SELECT result, visit_id FROM scans "
            "WHERE idempotency_key = ? AND device = ? AND code_digest = ?",
            [key, device, code_digest(code[:MAX_CODE_LENGTH])],
        )
    )
    if not rows:
        return None
    outcome = ScanOutcome(
        ScanResult(rows[0]["result"]), visit_id=rows[0]["visit_id"], replayed=True
    )
    if outcome.visit_id is not None:
        person = visit_person(db, outcome.visit_id)
        outcome.first_name = person["first_name"]
        outcome.member_id = person["member_id"]
        outcome.guest_id = person["guest_id"]
        outcome.language = person["language"]
    return outcome


def open_visit_by_id(db: sqlite_utils.Database, visit_id: object) -> dict[str, Any] | None:
    """The visit with ``visit_id`` while it is still open (not checked out), else None."""
    rows = list(
        db.query("SELECT * FROM visits WHERE id = ? AND checked_out_at IS NULL", [visit_id])
    )
    return rows[0] if rows else None


def visit_person(db: sqlite_utils.Database, visit_id: int) -> dict[str, Any]:
    """Return the visit joined with its person: first_name, name, company, language, kind."""
    rows = list(
        db.query(
            """
            SELECT v.*, COALESCE(m.first_name, g.first_name) AS first_name,
                   COALESCE(m.name, g.name) AS name,
                   COALESCE(m.company, g.company) AS company,
                   COALESCE(m.language, g.language) AS language,
                   CASE WHEN v.member_id IS NOT NULL THEN 'member' ELSE 'guest' END AS kind
            FROM visits v
            LEFT JOIN members m ON m.id = v.member_id
            LEFT JOIN guests g ON g.id = v.guest_id
            WHERE v.id = ?
            """,
            [visit_id],
        )
    )
    if not rows:
        raise NotFound(f"no visit with id {visit_id}")
    return rows[0]


def _check_in_member(
    db: sqlite_utils.Database, member: dict[str, Any], at: datetime
) -> ScanOutcome:
    previous = _last_visit(db, "member_id", member["id"])
    visit_id = (
        db["visits"]
        .insert(
            {
                "member_id": member["id"],
                "checked_in_at": to_db(at),
                "checkin_method": "card",
                # Decided now, while the earlier visits still name the person.
                "first_visit": int(previous is None),
            }
        )
        .last_pk
    )
    long_break = previous is not None and at - from_db(previous["checked_in_at"]) > LONG_BREAK
    ask = (
        previous is not None
        and previous["checkout_method"] == "automatic"
        and not previous["checkout_self_reported"]
    )
    return ScanOutcome(
        ScanResult.CHECKED_IN,
        visit_id=visit_id,
        first_name=member["first_name"],
        member_id=member["id"],
        language=member["language"],
        first_visit=previous is None,
        long_break=long_break,
        ask_left_visit=previous["id"] if ask and previous is not None else None,
    )


def close_visit(db: sqlite_utils.Database, visit_id: int, at: datetime, method: str) -> bool:
    """Check a visit out at ``at`` by ``method``; False when it was already closed."""
    cursor = db.execute(
        "UPDATE visits SET checked_out_at = ?, checkout_method = ? "
        "WHERE id = ? AND checked_out_at IS NULL",
        [to_db(at), method, visit_id],
    )
    return cursor.rowcount == 1


def _closed_at_closing_just_now(last: dict[str, Any] | None, at: datetime) -> bool:
    return bool(
        last
        and last["checked_out_at"]
        and last["checkout_method"] == "automatic"
        and timedelta(0) <= at - from_db(last["checked_out_at"]) < AFTER_CLOSING_WINDOW
    )


def reopen_manual_check_out(
    db: sqlite_utils.Database, visit_id: int, at: datetime, window: timedelta
) -> bool:
    """Undo a check-out made by hand within ``window``; False when it cannot be undone.

    Only a manual check-out is undone (a scan at the door is the person's own), and only
    while the person has no newer open visit.
    """
    cursor = db.execute(
        "UPDATE visits SET checked_out_at = NULL, checkout_method = NULL "
        "WHERE id = :id AND checkout_method = 'manual' AND checked_out_at >= :since "
        "AND NOT EXISTS (SELECT 1 FROM visits o WHERE o.checked_out_at IS NULL AND ("
        "  (o.member_id IS NOT NULL AND o.member_id = visits.member_id) OR"
        "  (o.guest_id IS NOT NULL AND o.guest_id = visits.guest_id)))",
        {"id": visit_id, "since": to_db(at - window)},
    )
    return cursor.rowcount == 1


def visit_full_name(db: sqlite_utils.Database, visit_id: int) -> str:
    """The full name of the person of a visit (for staff pages), or "" when unknown."""
    rows = db.execute(
        "SELECT coalesce(m.name, g.name, '') FROM visits v "
        "LEFT JOIN members m ON m.id = v.member_id LEFT JOIN guests g ON g.id = v.guest_id "
        "WHERE v.id = ?",
        [visit_id],
    ).fetchall()
    return rows[0][0] if rows else ""


def _left_just_now(last: dict[str, Any] | None, at: datetime, rules: ScanRules) -> bool:
    # A card waved twice at check-out must not check the person straight back in.
    return bool(
        last
        and last["checked_out_at"]
        and at - from_db(last["checked_out_at"]) < rules.repeat_window
    )


def _member_scan(
    db: sqlite_utils.Database, card: dict[str, Any], at: datetime, rules: ScanRules
) -> ScanOutcome:
    member = list(db.query("SELECT * FROM members WHERE id = ?", [card["member_id"]]))[0]
    if not member["active"] or member["forgotten_at"]:
        return ScanOutcome(ScanResult.REVOKED)
    visit = open_visit(db, member_id=member["id"])
    person = {
        "first_name": member["first_name"],
        "member_id": member["id"],
        "language": member["language"],
    }
    if visit is not None:
        if at - from_db(visit["checked_in_at"]) < rules.min_stay:
            return ScanOutcome(ScanResult.REPEAT, visit_id=visit["id"], **person)
        close_visit(db, visit["id"], at, "card")
        return ScanOutcome(ScanResult.CHECKED_OUT, visit_id=visit["id"], **person)
    last = _last_visit(db, "member_id", member["id"])
    if _left_just_now(last, at, rules):
        return ScanOutcome(ScanResult.REPEAT, visit_id=last["id"], **person)
    if _closed_at_closing_just_now(last, at):
        return ScanOutcome(ScanResult.REPEAT, visit_id=last["id"], closed_at_closing=True, **person)
    return _check_in_member(db, member, at)


def _guest_scan(
    db: sqlite_utils.Database, card: dict[str, Any], at: datetime, rules: ScanRules
) -> ScanOutcome:
    guest = list(db.query("SELECT * FROM guests WHERE id = ?", [card["guest_id"]]))[0]
    person = {
        "first_name": guest["first_name"],
        "guest_id": guest["id"],
        "language": guest["language"],
    }
    visit = open_visit(db, guest_id=guest["id"])
    if visit is not None:
        if at - from_db(visit["checked_in_at"]) < rules.min_stay:
            return ScanOutcome(ScanResult.REPEAT, visit_id=visit["id"], **person)
        close_visit(db, visit["id"], at, "card")
        # A guest card is good for one visit: after check-out it stops working.
        db.execute("UPDATE cards SET revoked_at = ? WHERE id = ?", [to_db(at), card["id"]])
        return ScanOutcome(ScanResult.CHECKED_OUT, visit_id=visit["id"], **person)
    last = _last_visit(db, "guest_id", guest["id"])
    if _left_just_now(last, at, rules):
        return ScanOutcome(ScanResult.REPEAT, visit_id=last["id"], **person)
    if _closed_at_closing_just_now(last, at):
        return ScanOutcome(ScanResult.REPEAT, visit_id=last["id"], closed_at_closing=True, **person)
    return ScanOutcome(ScanResult.REVOKED)


def process_scan(
    db: sqlite_utils.Database,
    code: str,
    now: datetime,
    rules: ScanRules | None = None,
    *,
    device: str = "kiosk",
    idempotency_key: str | None = None,
    seen_at: datetime | None = None,
) -> ScanOutcome:
    """Handle one scanned code: check in, check out, or refuse; log the scan.

    Every way of presenting a card ends here: the camera scanner (through the API), a
    keyboard-wedge scanner and the forgotten-card path. A retried request with the same
    ``idempotency_key`` gets the first answer again and writes nothing.
    """
    rules = rules or ScanRules()
    code = code.strip() if isinstance(code, str) else ""
    at = event_time(now, seen_at, rules.timezone)
    with write_transaction(db):
        if idempotency_key:
            replayed = _replay(db, idempotency_key, device, code)
            if replayed is not None:
                return replayed
        card = (
            find_card(db, code) if len(code) <= MAX_CODE_LENGTH and looks_like_token(code) else None
        )
        if card is None:
            outcome = ScanOutcome(ScanResult.UNKNOWN)
        elif card["revoked_at"] is not None and card["guest_id"] is None:
            outcome = ScanOutcome(ScanResult.REVOKED)
        elif card["member_id"] is not None:
            outcome = _member_scan(db, card, at, rules)
        else:
            outcome = _guest_scan(db, card, at, rules)
        outcome.at = to_db(at)
        _log_scan(
            db,
            key=idempotency_key,
            device=device,
            code=code[:MAX_CODE_LENGTH],
            outcome=outcome,
            seen_at=at,
            now=now,
        )
    return outcome


def manual_check_in(db: sqlite_utils.Database, member_id: int, now: datetime) -> int:
    """Check a member in by hand (staff); return the visit id, or the open one's."""
    with write_transaction(db):
        visit = open_visit(db, member_id=member_id)
        if visit is not None:
            return visit["id"]
        first = _last_visit(db, "member_id", member_id) is None
        return (
            db["visits"]
            .insert(
                {
                    "member_id": member_id,
                    "checked_in_at": to_db(now),
                    "checkin_method": "manual",
                    "first_visit": int(first),
                }
            )
            .last_pk
        )


def present_visits(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Return everyone checked in now, longest-present first (for staff pages only)."""
    return list(
        db.query(
            """
            SELECT v.id AS visit_id, v.checked_in_at, v.checkin_method, v.member_id, v.guest_id,
                   COALESCE(m.name, g.name) AS name, COALESCE(m.company, g.company) AS company,
                   CASE WHEN v.member_id IS NOT NULL THEN 'member' ELSE 'guest' END AS kind,
                   g.host_name
            FROM visits v
            LEFT JOIN members m ON m.id = v.member_id
            LEFT JOIN guests g ON g.id = v.guest_id
            WHERE v.checked_out_at IS NULL
            ORDER BY v.checked_in_at
            """
        )
    )
