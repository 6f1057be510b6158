"""Members' door PINs: the secret that turns a forgotten-card check-in into a full visit.

Typing one's email or phone at the door (the forgotten-card path) proves nothing: anyone who
knows the address could stand there. So that path checks the person in or out and no more;
answering the mood, alerting the host, joining an event or showing on the board needs either
the card or a PIN the member chose (4 to 6 digits), set by staff or at the door after a card
scan. PINs are stored as salted hashes, like passwords.
"""

from __future__ import annotations

import re

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.errors import InvalidInput

PIN_PATTERN = re.compile(r"^[0-9]{4,6}$")
# Checked when a member has no PIN, so that a wrong guess costs the same either way. Written
# out rather than made at import, as staff_accounts.DUMMY_HASH is, for the same reason.
NO_PIN_HASH = (
    "scrypt:32768:8:1$Cwwzcc9DCLk1xyPX$225d194975a6b60e239f50a7603e441a6f376ba31278d7bf8e17c597"
    "83dc2e0dd7df979aabac701be9f8e7dd43fd5e8fe80a71988dec1fc3b914b82a154e50d0"
)


def set_pin(db: sqlite_utils.Database, member_id: int, pin: str | None) -> None:
    """Set the member's PIN (4-6 digits), or remove it with ``None`` or an empty text."""
    pin = (pin or "").strip()
    if pin and not PIN_PATTERN.match(pin):
        raise InvalidInput("a PIN is 4 to 6 digits", "pin")
    db.execute(
        "UPDATE members SET pin_hash = ? WHERE id = ?",
        [generate_password_hash(pin) if pin else None, member_id],
    )


def has_pin(db: sqlite_utils.Database, member_id: int) -> bool:
    """Tell whether the member has chosen a PIN."""
    rows = list(db.query("SELECT pin_hash FROM members WHERE id = ?", [member_id]))
    return bool(rows and rows[0]["pin_hash"])


def check_pin(db: sqlite_utils.Database, member_id: int, pin: str) -> bool:
    """Tell whether ``pin`` is the member's PIN (False when they have none)."""
    rows = list(db.query("SELECT pin_hash FROM members WHERE id = ?", [member_id]))
    stored = rows[0]["pin_hash"] if rows else None
    candidate = (pin or "").strip()[:16]
    matches = check_password_hash(stored or NO_PIN_HASH, candidate)
    return bool(stored) and matches and bool(PIN_PATTERN.match(candidate))
