"""Per-person export (GDPR art. 15 and 20): everything the kiosk holds about one member, as JSON.

The export holds the member's profile and consents, their cards, visits, mood answers, host
alerts, event registrations, scans, badge print jobs and the audit entries about them.

Card tokens are **not** exported in full: an export travels by email or on a stick, and a
full active token is a working key to the front door (and would let anyone who finds the file
check the person in). Each card is listed with its dates and the last four characters of its
token, which is enough for the person to tell which printed card is which. Print-job payloads
are exported without their ``token`` for the same reason. The staff member who handled an
alert is not named (that is the staff member's data, not the visitor's); whether it was
handled and when is.

Visits that retention has already anonymised are no longer linked to anyone and so cannot be
part of anyone's export. Every export writes an audit entry.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from kiosk import audit
from kiosk.members import get_member
from kiosk.timeutil import to_db
from kiosk.visits import code_digest

FORMAT = "tankkaamo-personal-data/1"
TOKEN_HINT_LENGTH = 4


def _rows(db: sqlite_utils.Database, sql: str, params: Any) -> list[dict[str, Any]]:
    return list(db.query(sql, params))


def token_hint(token: str) -> str:
    """Show only the end of a card token: ``…AbCd``."""
    return "…" + token[-TOKEN_HINT_LENGTH:]


def export_member(
    db: sqlite_utils.Database, member_id: int, now: datetime, actor: str
) -> dict[str, Any]:
    """Return everything held about member ``member_id``; raise NotFound when there is none.

    Writes an audit entry (``member.export``) naming ``actor``.
    """
    member = get_member(db, member_id)
    cards = _rows(
        db, "SELECT id, token, issued_at, revoked_at FROM cards WHERE member_id = ?", [member_id]
    )
    digests = {code_digest(card["token"]) for card in cards}
    visits = _rows(
        db,
        "SELECT v.id, v.checked_in_at, v.checked_out_at, v.checkin_method, v.checkout_method, "
        "v.checkout_self_reported, v.first_visit, "
        "v.event_id, e.title AS event_title, v.board_opt_in, v.board_topics "
        "FROM visits v LEFT JOIN events e ON e.id = v.event_id "
        "WHERE v.member_id = ? ORDER BY v.checked_in_at",
        [member_id],
    )
    moods = _rows(
        db,
        "SELECT visit_id, answered_at, mood FROM mood_answers "
        "WHERE visit_id IN (SELECT id FROM visits WHERE member_id = ?) ORDER BY answered_at",
        [member_id],
    )
    alerts = _rows(
        db,
        "SELECT visit_id, created_at, kind, wants_chat, topics, handled_at FROM host_alerts "
        "WHERE visit_id IN (SELECT id FROM visits WHERE member_id = ?) ORDER BY created_at",
        [member_id],
    )
    for alert in alerts:
        alert["topics"] = json.loads(alert["topics"] or "[]")
        alert["handled"] = alert["handled_at"] is not None
    registrations = _rows(
        db,
        "SELECT r.event_id, e.title AS event_title, e.starts_at, r.registered_at, "
        "r.attended_at, r.visit_id FROM event_registrations r "
        "JOIN events e ON e.id = r.event_id WHERE r.member_id = ? ORDER BY r.registered_at",
        [member_id],
    )
    # Scans are logged as digests of the code; the member's own cards' digests find theirs.
    scans = _rows(
        db,
        "SELECT received_at, seen_at, device, result, visit_id FROM scans "
        "WHERE code_digest IN (SELECT value FROM json_each(?)) ORDER BY received_at",
        [json.dumps(sorted(digests))],
    )
    print_jobs = _rows(
        db,
        "SELECT id, kind, status, created_at, printed_at, visit_id, payload FROM print_jobs "
        "WHERE visit_id IN (SELECT id FROM visits WHERE member_id = ?) ORDER BY created_at",
        [member_id],
    )
    for job in print_jobs:
        try:
            payload = json.loads(job["payload"])
        except (TypeError, ValueError):
            payload = {}
        if isinstance(payload, dict):
            payload.pop("token", None)
        job["payload"] = payload
    audit_entries = _rows(
        db,
        "SELECT at, actor, action, details FROM audit_log WHERE target = ? ORDER BY at, id",
        [f"member:{member_id}"],
    )
    export = {
        "format": FORMAT,
        "exported_at": to_db(now),
        # The PIN's hash is a credential, not data about the person: whether one is set.
        "member": {
            **{k: v for k, v in member.items() if k != "pin_hash"},
            "pin_set": bool(member.get("pin_hash")),
        },
        "cards": [
            {
                "id": card["id"],
                "token_hint": token_hint(card["token"]),
                "issued_at": card["issued_at"],
                "revoked_at": card["revoked_at"],
            }
            for card in cards
        ],
        "visits": visits,
        "mood_answers": moods,
        "host_alerts": alerts,
        "event_registrations": registrations,
        "scans": scans,
        "print_jobs": print_jobs,
        "audit_log": audit_entries,
    }
    counts = {key: len(value) for key, value in export.items() if isinstance(value, list)}
    audit.record(db, now, actor, "member.export", f"member:{member_id}", **counts)
    return export


def export_json(export: dict[str, Any]) -> str:
    """The export as pretty UTF-8 JSON text (names keep their ä and ö)."""
    return json.dumps(export, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
