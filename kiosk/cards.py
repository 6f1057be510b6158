"""QR cards: random ASCII tokens, one active card per member, revocable."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

import sqlite_utils

from kiosk.errors import NotFound
from kiosk.timeutil import to_db
from kiosk.transactions import write_transaction

# A version marker that tells our tokens from other QR codes; not a secret.
TOKEN_PREFIX = "TK1-"  # noqa: S105
TOKEN_BYTES = 18  # 144 random bits; more than the 128 the threat model asks for
# The token alphabet is URL-safe base64: plain ASCII that every QR decoder returns unchanged.
TOKEN_PATTERN = re.compile(r"^TK1-[A-Za-z0-9_-]{24}$")


def new_token() -> str:
    """Return a fresh, unguessable card token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def looks_like_token(code: str) -> bool:
    """Tell whether ``code`` has the shape of one of our tokens (cheap pre-check before SQL)."""
    return bool(TOKEN_PATTERN.match(code))


def issue_member_card(db: sqlite_utils.Database, member_id: int, now: datetime) -> str:
    """Revoke the member's active card, if any, and issue a new one; return its token."""
    with write_transaction(db):
        db.execute(
            "UPDATE cards SET revoked_at = ? WHERE member_id = ? AND revoked_at IS NULL",
            [to_db(now), member_id],
        )
        token = new_token()
        db["cards"].insert({"token": token, "member_id": member_id, "issued_at": to_db(now)})
    return token


def issue_guest_card(db: sqlite_utils.Database, guest_id: int, now: datetime) -> str:
    """Issue the card printed on a guest's badge, which checks the guest out."""
    token = new_token()
    db["cards"].insert({"token": token, "guest_id": guest_id, "issued_at": to_db(now)})
    return token


def revoke_member_card(db: sqlite_utils.Database, member_id: int, now: datetime) -> int:
    """Revoke the member's active card without a replacement; return how many were revoked."""
    cursor = db.execute(
        "UPDATE cards SET revoked_at = ? WHERE member_id = ? AND revoked_at IS NULL",
        [to_db(now), member_id],
    )
    return cursor.rowcount


def active_member_token(db: sqlite_utils.Database, member_id: int) -> str:
    """Return the token of the member's active card."""
    row = db.execute(
        "SELECT token FROM cards WHERE member_id = ? AND revoked_at IS NULL", [member_id]
    ).fetchone()
    if row is None:
        raise NotFound(f"member {member_id} has no active card")
    return row[0]


def find_card(db: sqlite_utils.Database, token: str) -> dict[str, Any] | None:
    """Return the card row for ``token``, or None."""
    rows = list(db.query("SELECT * FROM cards WHERE token = ?", [token]))
    return rows[0] if rows else None
