"""Pairing a door tablet: staff show a QR code, the tablet opens it once.

The QR code holds a signed, short-lived link naming the door device and its single-use
pairing code. The device token never leaves the server: the tablet is a door because its
session says so, and the scans it posts are accepted on that session alone.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from kiosk.doors import PairingCodeUsed, get_door, use_pairing_nonce
from kiosk.web.db import get_db
from kiosk.web.staff_login import end_staff_session
from kiosk.web.views.context import clock

bp = Blueprint("pairing", __name__)

SALT = "kiosk.door-pairing"
COOKIE_SALT = "kiosk.door-device"
COOKIE_NAME = "kiosk_door"
# The staff session lasts hours; a door tablet stays paired for as long as it is in use, so
# its pairing also lives in its own long cookie that restores the session when it lapses.
COOKIE_MAX_AGE_SECONDS = 400 * 24 * 3600
# Long enough to carry the tablet to the door and scan the code, short enough that a
# photographed QR code is soon useless (and it works only once anyway).
MAX_AGE_SECONDS = 30 * 60


@lru_cache(maxsize=8)
def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def pairing_url(door_id: int, nonce: str) -> str:
    """The absolute link a tablet opens to become door ``door_id``."""
    code = _serializer(current_app.secret_key).dumps({"d": door_id, "n": nonce})
    return url_for("pairing.pair", code=code, _external=True)


@bp.get("/pair/<code>")
def pair(code: str):
    """Make this browser the door device named in ``code``; each code works once."""
    try:
        data = _serializer(current_app.secret_key).loads(code, max_age=MAX_AGE_SECONDS)
        door_id, nonce = int(data["d"]), str(data["n"])
    except (BadSignature, KeyError, TypeError, ValueError):
        abort(403)
    try:
        use_pairing_nonce(get_db(), door_id, nonce, clock().now())
    except PairingCodeUsed:
        abort(403)
    added = get_door(get_db(), door_id)["created_at"]
    end_staff_session()  # a tablet at the door is nobody's login
    _mark_door(door_id, added)
    response = redirect(url_for("door.welcome"))
    response.set_cookie(
        COOKIE_NAME,
        _serializer(current_app.secret_key + COOKIE_SALT).dumps({"d": door_id, "c": added}),
        max_age=COOKIE_MAX_AGE_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response


def _mark_door(door_id: int, added: str) -> None:
    session.clear()
    session["door_device"] = True
    session["door_id"] = door_id
    session["door_added"] = added
    session.permanent = True


def restore_from_cookie() -> bool:
    """Mark the session as a door again from the pairing cookie; true when it did."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return False
    try:
        data = _serializer(current_app.secret_key + COOKIE_SALT).loads(
            raw, max_age=COOKIE_MAX_AGE_SECONDS
        )
        door_id, added = int(data["d"]), str(data["c"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return False
    _mark_door(door_id, added)
    return True
