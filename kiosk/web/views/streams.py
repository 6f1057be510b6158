"""Server-sent event streams: the door screen's and the staff dashboard's live updates."""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, Response, abort, jsonify, redirect, request, session

from kiosk.doors import door_exists
from kiosk.web.db import get_db
from kiosk.web.live import TooManyStreams, sse_stream
from kiosk.web.server import KIOSK_ITSELF
from kiosk.web.views.context import app_settings, broker
from kiosk.web.views.pairing import restore_from_cookie

bp = Blueprint("streams", __name__)

LOOPBACK = KIOSK_ITSELF


def token_generation(token: str) -> str:
    """A short, one-way name for a device token, kept in a paired browser's session."""
    return hashlib.sha256(b"kiosk-pairing\x00" + token.encode()).hexdigest()[:32]


def accepted_generations() -> list[str]:
    """The generations of the device tokens accepted now (current and still-rotating)."""
    settings = app_settings()
    return [token_generation(t) for t in [settings.device_token, *settings.device_tokens_previous]]


def is_door_device() -> bool:
    """Tell whether this browser is a door screen: on the kiosk itself, or paired once.

    A browser paired with the device token (``/pair?token=…``) stays a door for the address it
    was paired from and the token it was paired with: another machine with a copy of the
    cookie is not a door, and rotating the token (once the old one is no longer accepted)
    unpairs it. A tablet paired from the staff Devices page is a door while that door device
    exists: removing it there unpairs the tablet.
    """
    if request.remote_addr in LOOPBACK:
        return True
    paired = session.get("door_device")
    if isinstance(paired, dict):
        return paired.get("a") == request.remote_addr and any(
            hmac.compare_digest(str(paired.get("g", "")), generation)
            for generation in accepted_generations()
        )
    if paired is not True and not restore_from_cookie():
        return False
    door_id = session.get("door_id")
    return door_id is not None and door_exists(get_db(), door_id, session.get("door_added"))


def door_address() -> str:
    """The address that identifies this request's door.

    A door is one machine: its scanner posts from the address its screen browses from (the
    kiosk itself is 127.0.0.1). Each door has its own live channel, and a person's screen
    opens only at the door where they scanned, so with several doors nobody sees another
    door's visitors.
    """
    return request.remote_addr or ""


def door_channel() -> str:
    """The live channel of this request's door."""
    return f"door:{door_address()}"


def event_stream_response(channel: str) -> Response:
    """Open a live stream on ``channel``; 503 with a Retry-After when every slot is taken."""
    try:
        # The door answers a person standing in front of it: it coalesces only briefly.
        door = channel.startswith("door:")
        stream = sse_stream(broker(), channel, coalesce_seconds=0.05 if door else 0.25)
    except TooManyStreams:
        response = jsonify(error="busy", message="too many live connections; polling instead")
        response.status_code = 503
        response.headers["Retry-After"] = "10"
        return response
    return Response(
        stream,
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@bp.get("/stream/door")
def door_stream() -> Response:
    """The door screen's stream: where to go after each scan. Door devices only."""
    if not is_door_device():
        abort(403)
    return event_stream_response(door_channel())


@bp.get("/pair")
def pair_door_device():
    """Make this browser a door screen by presenting the device token once (?token=…)."""
    presented = request.args.get("token", "")
    token = app_settings().device_token
    if not hmac.compare_digest(presented.encode(), token.encode()):
        abort(403)
    session["door_device"] = {"a": request.remote_addr, "g": token_generation(token)}
    session.permanent = True
    return redirect("/")
