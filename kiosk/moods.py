""" "Mitä kuuluu?": mood answers and the quiet follow-up that alerts the host."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from kiosk.errors import InvalidInput, NotFound
from kiosk.timeutil import to_db
from kiosk.transactions import write_transaction

# 1 is the best, 5 the hardest. The labels live in the templates (translated).
MOOD_VALUES = (1, 2, 3, 4, 5)
LOW_MOODS = (4, 5)


def _visit_member(db: sqlite_utils.Database, visit_id: int) -> dict[str, Any]:
    rows = list(
        db.query(
            "SELECT v.id, m.approach_ok FROM visits v "
            "LEFT JOIN members m ON m.id = v.member_id WHERE v.id = ?",
            [visit_id],
        )
    )
    if not rows:
        raise NotFound(f"no visit with id {visit_id}")
    return rows[0]


def open_low_mood_alerts(db: sqlite_utils.Database, visit_id: int) -> list[int]:
    """The unhandled low-mood alerts of a visit (a new answer replaces them)."""
    return [
        row[0]
        for row in db.execute(
            "SELECT id FROM host_alerts WHERE visit_id = ? AND kind = 'low_mood' "
            "AND handled_at IS NULL",
            [visit_id],
        ).fetchall()
    ]


def record_mood(db: sqlite_utils.Database, visit_id: int, mood: int, now: datetime) -> int | None:
    """Record the visit's mood answer; a second tap replaces the first.

    A low mood alerts the host only for a member who agreed to be approached; everyone
    else's answer stays in the anonymous statistics. Returns the new alert's id, if any.
    """
    if mood not in MOOD_VALUES:
        raise InvalidInput("mood must be 1 to 5", "mood")
    with write_transaction(db):
        visit = _visit_member(db, visit_id)
        db.execute(
            "INSERT INTO mood_answers (visit_id, answered_at, mood) VALUES (?, ?, ?) "
            "ON CONFLICT(visit_id) DO UPDATE SET mood = excluded.mood, "
            "answered_at = excluded.answered_at",
            [visit_id, to_db(now), mood],
        )
        db.execute(
            "DELETE FROM host_alerts WHERE visit_id = ? AND kind = 'low_mood' "
            "AND handled_at IS NULL",
            [visit_id],
        )
        if mood in LOW_MOODS and visit["approach_ok"]:
            return (
                db["host_alerts"]
                .insert({"visit_id": visit_id, "created_at": to_db(now), "kind": "low_mood"})
                .last_pk
            )
    return None


def _topics_text(topics: list[str]) -> str:
    # One spelling for a set of topics, so the same question asked twice compares equal.
    return json.dumps(sorted(set(topics)), ensure_ascii=False)


def open_request(
    db: sqlite_utils.Database, visit_id: int, *, wants_chat: bool, topics: list[str]
) -> int | None:
    """The visit's unhandled request that asks exactly this, if there is one.

    A double tap on the door's form sends the same answer twice; it is one request.
    """
    row = db.conn.execute(
        "SELECT id FROM host_alerts WHERE visit_id = ? AND kind = 'request'"
        " AND handled_at IS NULL AND wants_chat = ? AND topics = ? ORDER BY id LIMIT 1",
        (visit_id, int(wants_chat), _topics_text(topics)),
    ).fetchone()
    return None if row is None else int(row[0])


def request_host(
    db: sqlite_utils.Database,
    visit_id: int,
    now: datetime,
    *,
    wants_chat: bool,
    topics: list[str],
    allowed_topics: list[str],
) -> int | None:
    """Create a host alert for "haluan jutella" and help topics; None when nothing was asked."""
    unknown = [t for t in topics if t not in allowed_topics]
    if unknown:
        raise InvalidInput(f"unknown help topic: {unknown[0]}", "topics")
    if not wants_chat and not topics:
        return None
    _visit_member(db, visit_id)
    return (
        db["host_alerts"]
        .insert(
            {
                "visit_id": visit_id,
                "created_at": to_db(now),
                "kind": "request",
                "wants_chat": int(wants_chat),
                "topics": _topics_text(topics),
            }
        )
        .last_pk
    )


def open_alerts(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Return the unhandled alerts, urgent first (staff only).

    An alert stays until someone marks it handled, even after the person has left
    (``present`` says whether they are still here). A consented low mood comes first, then
    the longest wait.
    """
    rows = list(
        db.query(
            """
            SELECT a.id, a.visit_id, a.created_at, a.kind, a.wants_chat, a.topics,
                   a.reminded_at, ma.mood, COALESCE(m.name, g.name) AS name,
                   COALESCE(m.company, g.company) AS company,
                   v.checked_out_at IS NULL AND v.id IS NOT NULL AS present
            FROM host_alerts a
            LEFT JOIN visits v ON v.id = a.visit_id
            LEFT JOIN members m ON m.id = v.member_id
            LEFT JOIN guests g ON g.id = v.guest_id
            LEFT JOIN mood_answers ma ON ma.visit_id = v.id AND a.kind = 'low_mood'
            WHERE a.handled_at IS NULL
            ORDER BY a.kind = 'low_mood' DESC, a.created_at
            """
        )
    )
    for row in rows:
        row["topics"] = json.loads(row["topics"])
        row["present"] = bool(row["present"])
    return rows


def mark_handled(db: sqlite_utils.Database, alert_id: int, now: datetime, by: str) -> None:
    """Mark an alert handled by the staff user ``by``."""
    cursor = db.execute(
        "UPDATE host_alerts SET handled_at = ?, handled_by = ? WHERE id = ? AND handled_at IS NULL",
        [to_db(now), by, alert_id],
    )
    if cursor.rowcount != 1:
        raise NotFound(f"no open alert with id {alert_id}")
