"""The outgoing notification queue: rows in ``notifications``, delivered by the worker.

Writing a notification only inserts a row, inside the caller's transaction, so the check-in
or alert that caused it never waits for a mail server and never fails because of one.

**At least once, never two different messages.** Each row gets its ``message_id`` when it
is queued, and every try sends that same Message-ID, so a message that reached the server
just before a crash and is sent again is recognisably the same message. ``dedupe_key`` is
unique, so the same notification (an alert to one address, one day's digest) is never
queued twice, even by two server processes.

Statuses: ``pending`` (waiting; ``last_error`` says why when a try failed), ``sending``
(claimed by a worker; a crash leaves it so until its lease runs out, then it is sent again),
``sent``, ``failed`` (gave up: ``last_error`` says why), ``cancelled``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from kiosk.timeutil import to_db

LEASE_SECONDS = 120  # a row "sending" for longer than this was lost in a crash: send it again
BACKOFF_START_SECONDS = 5
BACKOFF_MAX_SECONDS = 300  # while the mail server is down, try at least every five minutes
MAX_AGE = timedelta(hours=24)  # a host notification a day late helps nobody
PERMANENT_TRIES = 3  # a refusal (a 4xx from Teams, a 5xx from SMTP) is tried this many times
KINDS = ("request", "low_mood", "guest", "reminder", "digest", "test")


@dataclass(frozen=True)
class Outgoing:
    """One message to one destination, as it is queued."""

    kind: str
    channel: str  # "email" or "teams"
    destination: str  # an email address or a Teams Workflows URL
    subject: str
    body: str
    dedupe_key: str
    link: str | None = None
    staff_user_id: int | None = None
    alert_id: int | None = None


def new_message_id(domain: str) -> str:
    """A Message-ID that is unique and stays with the message for every try."""
    return f"<tankkaamo.{secrets.token_hex(12)}@{domain or 'tankkaamo.invalid'}>"


def enqueue(db: sqlite_utils.Database, message: Outgoing, now: datetime, domain: str) -> int | None:
    """Queue ``message``; return its id, or None when the same one is already queued."""
    if message.kind not in KINDS:
        raise ValueError(f"unknown notification kind {message.kind!r}")
    if message.channel not in {"email", "teams"}:
        raise ValueError(f"unknown channel {message.channel!r}")
    stamp = to_db(now)
    cursor = db.execute(
        "INSERT INTO notifications (message_id, dedupe_key, kind, channel, destination,"
        " staff_user_id, alert_id, subject, body, link, status, attempts, created_at,"
        " updated_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0,"
        " ?, ?, ?) ON CONFLICT(dedupe_key) DO NOTHING",
        [
            new_message_id(domain),
            message.dedupe_key,
            message.kind,
            message.channel,
            message.destination,
            message.staff_user_id,
            message.alert_id,
            message.subject,
            message.body,
            message.link,
            stamp,
            stamp,
            stamp,
        ],
    )
    return int(cursor.lastrowid) if cursor.rowcount == 1 and cursor.lastrowid else None


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 5 s, 10 s, 20 s… up to 5 min."""
    seconds = BACKOFF_START_SECONDS * 2 ** min(max(0, attempts - 1), 16)
    return timedelta(seconds=min(BACKOFF_MAX_SECONDS, seconds))


def due(db: sqlite_utils.Database, now: datetime, limit: int = 20) -> list[dict[str, Any]]:
    """Pending rows whose time has come, and rows left ``sending`` by a crash, oldest first."""
    lease = to_db(now - timedelta(seconds=LEASE_SECONDS))
    # A plain cursor, not db.query(): this runs every second, and sqlite-utils wraps each
    # query in a SAVEPOINT and a RELEASE, tripling the idle statements.
    cursor = db.execute(
        "SELECT * FROM notifications WHERE (status = 'pending' AND next_attempt_at <= ?)"
        " OR (status = 'sending' AND updated_at < ?) ORDER BY id LIMIT ?",
        [to_db(now), lease, limit],
    )
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def claim(db: sqlite_utils.Database, row_id: int, now: datetime) -> bool:
    """Take a row for sending; False when another worker has it (one UPDATE decides)."""
    lease = to_db(now - timedelta(seconds=LEASE_SECONDS))
    cursor = db.execute(
        "UPDATE notifications SET status = 'sending', attempts = attempts + 1, updated_at = ?"
        " WHERE id = ? AND (status = 'pending' OR (status = 'sending' AND updated_at < ?))",
        [to_db(now), row_id, lease],
    )
    return cursor.rowcount == 1


def mark_sent(db: sqlite_utils.Database, row_id: int, now: datetime) -> None:
    """The server accepted the message."""
    db.execute(
        "UPDATE notifications SET status = 'sent', sent_at = ?, updated_at = ?,"
        " next_attempt_at = NULL, last_error = NULL WHERE id = ?",
        [to_db(now), to_db(now), row_id],
    )


def mark_waiting(
    db: sqlite_utils.Database, row_id: int, now: datetime, error: str, retry_at: datetime
) -> None:
    """The try failed; the row waits until ``retry_at`` with the reason."""
    db.execute(
        "UPDATE notifications SET status = 'pending', last_error = ?, next_attempt_at = ?,"
        " updated_at = ? WHERE id = ?",
        [error, to_db(retry_at), to_db(now), row_id],
    )


def mark_failed(db: sqlite_utils.Database, row_id: int, now: datetime, error: str) -> None:
    """Give up on the row, keeping the reason."""
    db.execute(
        "UPDATE notifications SET status = 'failed', last_error = ?, next_attempt_at = NULL,"
        " updated_at = ? WHERE id = ?",
        [error, to_db(now), row_id],
    )


def cancel_for_alert(db: sqlite_utils.Database, alert_id: int, now: datetime, kind: str) -> int:
    """Cancel the unsent ``kind`` rows of an alert (a reminder once it is handled)."""
    cursor = db.execute(
        "UPDATE notifications SET status = 'cancelled', updated_at = ?, next_attempt_at = NULL"
        " WHERE alert_id = ? AND kind = ? AND status = 'pending'",
        [to_db(now), alert_id, kind],
    )
    return cursor.rowcount


def expire_old(db: sqlite_utils.Database, now: datetime) -> int:
    """Fail the rows that could not be sent within :data:`MAX_AGE`; return how many."""
    cursor = db.execute(
        "UPDATE notifications SET status = 'failed', updated_at = ?, next_attempt_at = NULL,"
        " last_error = 'not delivered within 24 hours: ' || coalesce(last_error, '')"
        " WHERE status = 'pending' AND created_at < ?",
        [to_db(now), to_db(now - MAX_AGE)],
    )
    return cursor.rowcount


def queue_state(db: sqlite_utils.Database, now: datetime) -> dict[str, Any]:
    """Counts by status, the last sent time and the newest error, for the Devices page.

    ``failed_recent`` counts the messages given up on in the last day: those need a look.
    """
    counts = {
        row["status"]: row["n"]
        for row in db.query("SELECT status, count(*) AS n FROM notifications GROUP BY status")
    }
    last_sent = db.execute("SELECT max(sent_at) FROM notifications").fetchone()[0]
    error_rows = list(
        db.query(
            "SELECT last_error, updated_at FROM notifications WHERE last_error IS NOT NULL"
            " AND status IN ('pending', 'sending', 'failed') ORDER BY updated_at DESC LIMIT 1"
        )
    )
    waiting = counts.get("pending", 0) + counts.get("sending", 0)
    failed_recent = db.execute(
        "SELECT count(*) FROM notifications WHERE status = 'failed' AND updated_at > ?",
        [to_db(now - timedelta(days=1))],
    ).fetchone()[0]
    return {
        "failed_recent": int(failed_recent),
        "waiting": waiting,
        "failed": counts.get("failed", 0),
        "sent": counts.get("sent", 0),
        "last_sent_at": last_sent,
        "last_error": error_rows[0]["last_error"] if error_rows else None,
        "retrying": bool(error_rows) and waiting > 0,
    }


def recent(db: sqlite_utils.Database, limit: int = 25) -> list[dict[str, Any]]:
    """The newest rows first, without their bodies."""
    return list(
        db.query(
            "SELECT id, kind, channel, destination, subject, status, attempts, last_error,"
            " created_at, sent_at FROM notifications ORDER BY id DESC LIMIT ?",
            [limit],
        )
    )


def get(db: sqlite_utils.Database, row_id: int) -> Mapping[str, Any]:
    """One row by id (KeyError when there is none)."""
    rows = list(db.query("SELECT * FROM notifications WHERE id = ?", [row_id]))
    if not rows:
        raise KeyError(row_id)
    return rows[0]


ERASED = "erased"


def erase_for_member(db: sqlite_utils.Database, member_id: int, stamp: str) -> int:
    """Empty the messages about a member's requests (the member is being forgotten).

    Unsent ones are cancelled: a message about a forgotten person must not go out later.
    """
    cursor = db.execute(
        "UPDATE notifications SET subject = '', body = '', updated_at = ?,"
        " last_error = CASE WHEN status = 'pending' THEN ? ELSE last_error END,"
        " status = CASE WHEN status IN ('pending', 'sending') THEN 'cancelled' ELSE status END"
        " WHERE alert_id IN (SELECT a.id FROM host_alerts a JOIN visits v ON v.id = a.visit_id"
        " WHERE v.member_id = ?)",
        [stamp, ERASED, member_id],
    )
    return cursor.rowcount


# Finished messages queued before the cut-off that still hold text. The unary plus keeps the
# planner off notifications_due, so it reads the partial index notifications_with_text, which
# holds only messages with text left: retention's check stays cheap however many have gone.
OLD_WITH_TEXT = (
    "created_at < :cutoff AND +status IN ('sent', 'failed', 'cancelled')"
    " AND (subject != '' OR body != '')"
)


def erase_older_than(db: sqlite_utils.Database, cutoff: str, *, limit: int | None = None) -> int:
    """Empty the subject and body of messages queued before ``cutoff`` (retention).

    With ``limit``, at most that many, so a long backlog goes in short transactions.
    """
    where = OLD_WITH_TEXT
    if limit is not None:
        where = f"id IN (SELECT id FROM notifications WHERE {OLD_WITH_TEXT} LIMIT :limit)"  # noqa: S608
    cursor = db.execute(
        f"UPDATE notifications SET subject = '', body = '' WHERE {where}",  # noqa: S608
        {"cutoff": cutoff, "limit": limit},
    )
    return cursor.rowcount
