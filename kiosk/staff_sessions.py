"""Staff sessions kept on the server: revocable, with a lifetime counted from the login.

The session cookie only names a session here. Logging out, changing the password or
turning the login off ends sessions at once, and a session ends at its absolute expiry
however busy it was (using the dashboard never extends it).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from kiosk.timeutil import to_db


def start_session(
    db: sqlite_utils.Database, staff_id: int, now: datetime, lifetime: timedelta
) -> str:
    """Open a session for ``staff_id``; return its id (the secret the cookie carries)."""
    session_id = secrets.token_urlsafe(24)
    # Sessions long over are of no use to anyone: forget them as new ones begin.
    db.execute("DELETE FROM staff_sessions WHERE expires_at < ?", [to_db(now - timedelta(days=1))])
    db["staff_sessions"].insert(
        {
            "id": session_id,
            "staff_id": staff_id,
            "created_at": to_db(now),
            "expires_at": to_db(now + lifetime),
            "revoked_at": None,
        }
    )
    return session_id


def session_user(
    db: sqlite_utils.Database, session_id: str, now: datetime
) -> dict[str, Any] | None:
    """The active staff user of a live session (id, username, role), or None."""
    rows = list(
        db.query(
            "SELECT u.id, u.username, u.role FROM staff_sessions s "
            "JOIN staff_users u ON u.id = s.staff_id "
            "WHERE s.id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.active = 1",
            [session_id, to_db(now)],
        )
    )
    return rows[0] if rows else None


def end_session(db: sqlite_utils.Database, session_id: str, now: datetime) -> None:
    """End one session (logout)."""
    db.execute(
        "UPDATE staff_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        [to_db(now), session_id],
    )


def end_all_sessions(db: sqlite_utils.Database, staff_id: int, now: datetime) -> int:
    """End every session of ``staff_id`` (password change, login turned off); return how many."""
    return db.execute(
        "UPDATE staff_sessions SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL",
        [to_db(now), staff_id],
    ).rowcount
