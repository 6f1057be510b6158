"""Door devices: tablets and screens paired from the staff Devices page.

A door device is paired once, with a single-use code that staff show as a QR code. Each door
scans either through the server's webcam scanner (``server``), its own camera in the browser
(``browser``) or not at all (``none``); a door without its own choice follows the default
(``KIOSK_DOOR_CAMERA``).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlite_utils

from kiosk.errors import InvalidInput, KioskError, NotFound
from kiosk.timeutil import to_db
from kiosk.transactions import write_transaction

DOOR_CAMERAS = ("server", "browser", "none")
MAX_NAME_LENGTH = 60


class PairingCodeUsed(KioskError):
    """The pairing code was already used, replaced by a newer one, or its door is gone."""


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"a door needs a name of 1 to {MAX_NAME_LENGTH} characters", "name")
    return name


def _clean_camera(camera: str | None) -> str | None:
    if camera in (None, "", "default"):
        return None
    if camera not in DOOR_CAMERAS:
        raise InvalidInput("the camera must be server, browser, none or default", "camera")
    return camera


def add_door(db: sqlite_utils.Database, name: str, now: datetime, camera: str | None = None) -> int:
    """Add a door device waiting to be paired; return its id."""
    table = db["door_devices"]
    table.insert(
        {
            "name": _clean_name(name),
            "camera": _clean_camera(camera),
            "pair_nonce": secrets.token_urlsafe(16),
            "created_at": to_db(now),
            "paired_at": None,
        }
    )
    return int(table.last_pk)


def get_door(db: sqlite_utils.Database, door_id: int) -> dict[str, Any]:
    """Return one door device, or raise NotFound."""
    rows = list(db.query("SELECT * FROM door_devices WHERE id = ?", [door_id]))
    if not rows:
        raise NotFound(f"no door device {door_id}")
    return rows[0]


def door_exists(db: sqlite_utils.Database, door_id: int, created_at: str | None) -> bool:
    """Whether the door device is still known (staff may have removed it).

    A door is its id *and* the moment it was added: SQLite may give a removed door's id to
    the next door added, and a tablet paired with the old one must not become the new one.
    """
    return bool(
        list(
            db.query(
                "SELECT 1 FROM door_devices WHERE id = ? AND created_at = ?",
                [door_id, created_at],
            )
        )
    )


def list_doors(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every door device, in the order they were added."""
    return list(db.query("SELECT * FROM door_devices ORDER BY id"))


def new_pairing_nonce(db: sqlite_utils.Database, door_id: int) -> str:
    """Offer a fresh pairing code for the door; any earlier code stops working."""
    get_door(db, door_id)
    nonce = secrets.token_urlsafe(16)
    db["door_devices"].update(door_id, {"pair_nonce": nonce})
    return nonce


def use_pairing_nonce(db: sqlite_utils.Database, door_id: int, nonce: str, now: datetime) -> None:
    """Pair a browser with the door: the code works once, then it is gone."""
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE door_devices SET pair_nonce = NULL, paired_at = ? "
            "WHERE id = ? AND pair_nonce = ?",
            [to_db(now), door_id, nonce],
        )
        if cursor.rowcount != 1:
            raise PairingCodeUsed(f"the pairing code of door {door_id} is not on offer")


def set_door_camera(db: sqlite_utils.Database, door_id: int, camera: str | None) -> None:
    """Choose the door's scanning source; ``None`` or ``"default"`` follows the setting."""
    get_door(db, door_id)
    db["door_devices"].update(door_id, {"camera": _clean_camera(camera)})


def remove_door(db: sqlite_utils.Database, door_id: int) -> None:
    """Forget a door device; the browser paired with it is no longer a door."""
    get_door(db, door_id)
    db["door_devices"].delete(door_id)


def door_camera(db: sqlite_utils.Database, door_id: int | None, default: str) -> str:
    """The scanning source in force for a door: its own choice, else ``default``."""
    if door_id is None:
        return default
    rows = list(db.query("SELECT camera FROM door_devices WHERE id = ?", [door_id]))
    return (rows[0]["camera"] if rows else None) or default
