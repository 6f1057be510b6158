"""Scans read by the door page's own camera (a tablet at the door).

The page decodes the QR code itself and posts it here on the door's own session, the way
the scanner posts to ``/api/v1/scans`` with its token: the same ``code``, ``seen_at`` and
idempotency ``id``, and the same scan pipeline behind it. A scan the page queued while the
server was away arrives later with the time it was seen, and a retried post never makes a
second visit.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, session

from kiosk.doors import door_camera
from kiosk.visits import ScanResult
from kiosk.web.db import get_db
from kiosk.web.openapi import MAX_KEY_LENGTH
from kiosk.web.ratelimit import retry_after_header
from kiosk.web.security import csrf
from kiosk.web.views.api import failed_scan_wait, record_failed_scan, seen_at_from
from kiosk.web.views.context import app_settings
from kiosk.web.views.scanning import handle_scan, is_late
from kiosk.web.views.streams import is_door_device

bp = Blueprint("door_camera", __name__)
# No CSRF token: a scan queued while the server was away may be sent hours later, from a
# page whose token belonged to an earlier session. A cross-site page cannot make this
# request instead: the body must be JSON (which needs a CORS preflight nobody answers),
# the session cookie is SameSite=Lax, and an Origin other than this site's is refused.
csrf.exempt(bp)

MAX_CODE_LENGTH = 600
FAILED_RESULTS = {ScanResult.UNKNOWN, ScanResult.REVOKED}


def camera_mode() -> str:
    """Where this door scans: ``server``, ``browser`` or ``none`` (its own, else the default)."""
    default = app_settings().door_camera
    if not is_door_device():
        # A browser that is not a door could read a card but never check anyone in:
        # it offers no camera rather than one that silently does nothing.
        return "none" if default == "browser" else default
    return door_camera(get_db(), session.get("door_id"), default)


def _error(status: int, error: str, message: str):
    response = jsonify(error=error, message=message)
    response.status_code = status
    return response


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")


def _device_name() -> str:
    door_id = session.get("door_id")
    return f"door-camera:{door_id}" if door_id is not None else "door-camera"


@bp.post("/door/scans")
def post_door_scan():
    """A code read by this door's camera: ``{"code", "seen_at"?, "id"?}`` → result and screen."""
    if not _same_origin():
        return _error(403, "cross_origin", "scans come from the door page itself")
    if not is_door_device():
        return _error(403, "not_a_door", "this browser is not paired as a door")
    if not request.is_json:
        return _error(400, "bad_request", "the body must be JSON (application/json)")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "bad_request", "the body must be a JSON object")
    code = body.get("code")
    if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE_LENGTH:
        return _error(400, "bad_request", "'code' must be a non-empty string")
    key = body.get("id")
    if key is not None and (not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH):
        return _error(400, "bad_request", "'id' must be a short non-empty string")
    seen_at = seen_at_from(body)
    limit_key = f"door\x00{request.remote_addr or ''}"
    wait = failed_scan_wait(limit_key)
    if wait > 0:
        response = _error(429, "too_many_failed_scans", "too many unknown cards; wait a moment")
        response.headers["Retry-After"] = retry_after_header(wait)
        return response
    outcome, screen = handle_scan(code, device=_device_name(), idempotency_key=key, seen_at=seen_at)
    if outcome.result in FAILED_RESULTS and not outcome.replayed:
        record_failed_scan(limit_key)
    # "screen" is where the door goes next; none for a scan that waited too long (the
    # person has left, and the door must not show their name to the next one).
    answer: dict[str, Any] = {"result": outcome.result.value}
    if not is_late(seen_at):
        answer["screen"] = screen
    return jsonify(answer)
