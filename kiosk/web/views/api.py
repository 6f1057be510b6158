"""The JSON API that scanners and door devices use (docs/api.md), and /healthz."""

from __future__ import annotations

import hmac
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException

from kiosk.devices import DEVICE_STATES, health, record_device_state
from kiosk.visits import ScanResult
from kiosk.web.db import get_db
from kiosk.web.openapi import MAX_DETAIL_LENGTH, MAX_DEVICE_LENGTH, MAX_KEY_LENGTH, openapi_document
from kiosk.web.ratelimit import (
    FailedScanLimiter,
    retry_after_header,
)
from kiosk.web.security import csrf
from kiosk.web.views.context import app_settings, clock
from kiosk.web.views.scanning import handle_scan
from kiosk.web.views.streams import token_generation

bp = Blueprint("api", __name__)
csrf.exempt(bp)

FAILED_RESULTS = {ScanResult.UNKNOWN, ScanResult.REVOKED}
LIMITER_KEY = "kiosk.scan_limiter"
GLOBAL_LIMITER_KEY = "kiosk.scan_limiter.global"
GLOBAL_KEY = "*"


@bp.record_once
def _set_up_limiter(state: BlueprintSetupState) -> None:
    # One limiter per app, made when the blueprint is registered: KIOSK_SCAN_FAILURE_BURST
    # failed scans in a row, then one more every KIOSK_SCAN_FAILURE_REFILL_SECONDS; and a
    # ceiling over every client together (KIOSK_SCAN_FAILURE_GLOBAL_*).
    settings = state.app.extensions["kiosk.settings"]
    state.app.extensions.setdefault(
        LIMITER_KEY,
        FailedScanLimiter(
            burst=settings.scan_failure_burst,
            refill_seconds=settings.scan_failure_refill_seconds,
        ),
    )
    state.app.extensions.setdefault(
        GLOBAL_LIMITER_KEY,
        FailedScanLimiter(
            burst=settings.scan_failure_global_burst,
            refill_seconds=settings.scan_failure_global_refill_seconds,
        ),
    )


def scan_limiter() -> FailedScanLimiter:
    """The app's failed-scan rate limiter (per credential and address)."""
    return current_app.extensions[LIMITER_KEY]


def failed_scan_wait(key: str) -> float:
    """Seconds until ``key`` may present a code again: its own limit, then the ceiling
    shared by every key (so that many addresses cannot multiply the rate)."""
    own = scan_limiter().retry_after(key)
    if own > 0:
        return own
    return current_app.extensions[GLOBAL_LIMITER_KEY].retry_after(GLOBAL_KEY)


def record_failed_scan(key: str) -> None:
    """Count one failed scan (unknown or revoked code, contact not found) for ``key``."""
    scan_limiter().record_failure(key)
    current_app.extensions[GLOBAL_LIMITER_KEY].record_failure(GLOBAL_KEY)


def _accepted_tokens() -> list[str]:
    settings = app_settings()
    return [settings.device_token, *settings.device_tokens_previous]


def device_token_required(view):
    """Refuse requests without a valid ``Authorization: Bearer <device token>``."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, presented = header.partition(" ")
        matched = [
            token
            for token in _accepted_tokens()
            if hmac.compare_digest(presented.strip().encode(), token.encode())
        ]
        ok = scheme.lower() == "bearer" and bool(matched)
        if ok:
            # The credential, not anything the body says, names the client for rate limits.
            g.device_credential = token_generation(matched[0])
        if not ok:
            response = jsonify(error="unauthorized", message="a valid device token is required")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="kiosk"'
            abort(response)
        return view(*args, **kwargs)

    return wrapped


def _bad_request(message: str) -> None:
    response = jsonify(error="bad_request", message=message)
    response.status_code = 400
    abort(response)


def _json_object() -> dict[str, Any]:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested too deeply for the parser: bad input, not a crash
        body = None
    if not isinstance(body, dict):
        _bad_request("the body must be a JSON object")
    return body


def _optional_text(body: dict[str, Any], key: str, limit: int) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        _bad_request(f"'{key}' must be a non-empty string of at most {limit} characters")
    return value


def seen_at_from(body: dict[str, Any]) -> datetime | None:
    raw = body.get("seen_at")
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        _bad_request("'seen_at' must be an ISO-8601 time with a UTC offset")
    return moment


@bp.post("/api/v1/scans")
@device_token_required
def post_scan():
    """Check a card in or out: ``{"code", "seen_at"?, "id"?}`` → ``{"result", …}``."""
    body = _json_object()
    code = body.get("code")
    if not isinstance(code, str) or not code.strip():
        _bad_request("'code' must be a non-empty string")
    key = _optional_text(body, "id", MAX_KEY_LENGTH)
    device = _optional_text(body, "device", MAX_DEVICE_LENGTH) or "api"
    seen_at = seen_at_from(body)
    # Failed scans are limited per credential (which device token) and address, never by
    # anything in the body, with a ceiling over all of them; the limit is checked before the
    # code is looked at, so a limited client learns nothing about any code.
    limit_key = f"{g.device_credential}\x00{request.remote_addr or ''}"
    wait = failed_scan_wait(limit_key)
    if wait > 0:
        current_app.logger.warning(
            "failed-scan limit reached by device %r from %s", device, request.remote_addr
        )
        response = jsonify(
            error="too_many_failed_scans",
            message="too many unknown or revoked cards from this device; try again shortly",
        )
        response.status_code = 429
        response.headers["Retry-After"] = retry_after_header(wait)
        return response
    outcome, _screen = handle_scan(code, device=device, idempotency_key=key, seen_at=seen_at)
    if outcome.result in FAILED_RESULTS and not outcome.replayed:
        record_failed_scan(limit_key)
    answer: dict[str, Any] = {"result": outcome.result.value}
    if outcome.visit_id is not None:
        answer.update(visit_id=outcome.visit_id, first_name=outcome.first_name)
    return jsonify(answer)


@bp.post("/api/v1/devices/heartbeat")
@device_token_required
def post_heartbeat():
    """Record a device's state: ``{"device", "kind", "state", "detail"?}``."""
    body = _json_object()
    device = _optional_text(body, "device", MAX_DEVICE_LENGTH)
    kind = body.get("kind")
    state = body.get("state")
    if device is None or kind not in {"scanner", "printer"} or state not in DEVICE_STATES:
        _bad_request(
            "'device' (text), 'kind' (scanner|printer) and 'state' "
            f"({'|'.join(DEVICE_STATES)}) are required"
        )
    detail = body.get("detail") or ""
    if not isinstance(detail, str):
        _bad_request("'detail' must be text")
    record_device_state(get_db(), device, kind, state, detail[:MAX_DETAIL_LENGTH], clock().now())
    return jsonify(ok=True)


@bp.get("/api/v1/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_document())


@bp.get("/healthz")
def healthz():
    """Health: 200 while people can check in, else 503.

    Anyone gets only ``{"ok": …}``; staff (a logged-in session) and devices (the device
    token) get the state of the database, the scanners and the printer, whose names and
    details say more about the place than a passer-by needs to know.
    """
    min_free = app_settings().min_free_disk_mb * 1024 * 1024
    report = health(get_db(), clock().now(), min_free_bytes=min_free)
    status = 200 if report["ok"] else 503
    if not (_presents_device_token() or _staff_session()):
        return jsonify(ok=report["ok"]), status
    return jsonify(report), status


def _presents_device_token() -> bool:
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and any(
        hmac.compare_digest(presented.strip().encode(), token.encode())
        for token in _accepted_tokens()
    )


def _staff_session() -> bool:
    from flask import session

    from kiosk.staff_sessions import session_user

    data = session.get("staff")
    if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
        return False
    return session_user(get_db(), data["sid"], clock().now()) is not None


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    """API errors are JSON, not HTML pages."""
    if exc.response is not None:
        return exc.response
    return jsonify(error=exc.name.lower().replace(" ", "_"), message=exc.description), exc.code
