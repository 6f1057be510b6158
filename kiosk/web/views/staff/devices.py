"""Printer and scanner status, the print queue with reprint, and the settings in force."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils
from flask import Blueprint, abort, redirect, render_template, request, url_for

from kiosk import audit, doors
from kiosk.devices import device_states
from kiosk.errors import InvalidInput, NotFound
from kiosk.notify import queue as notify_queue
from kiosk.printing import queue as print_queue
from kiosk.timeutil import from_db
from kiosk.web.db import get_db
from kiosk.web.qr_svg import qr_data_uri
from kiosk.web.views.context import app_settings, clock, notify_config
from kiosk.web.views.pairing import pairing_url
from kiosk.web.views.staff.auth import actor, admin_required, current_staff, login_required

bp = Blueprint("devices", __name__)

SHOWN_SETTINGS = (
    "TIMEZONE",
    "CLOSING_TIME",
    "CAPACITY",
    "MEMBER_BADGE_POLICY",
    "PRINTER",
    "CAMERA",
    "DOOR_CAMERA",
    "THREADS",
    "MAX_STREAMS",
    "MIN_GROUP_SIZE",
    "RETENTION_MONTHS",
    "CONSENT_VERSION",
    "SESSION_COOKIE_SECURE",
    "MAIL_FROM",
    "NOTIFY_REMINDER_MINUTES",
    "NOTIFY_DIGEST_TIME",
    "DASHBOARD_URL",
)
GOOD_STATES = {"ok"}
# The printer states in which jobs are sent (printer.transports.PrinterStatus.can_print).
PRINTER_GOOD_STATES = {"ok", "ready", "paper_low", "unknown"}


def device_summary(db: sqlite_utils.Database, now: datetime) -> dict[str, Any]:
    """The printer's and scanners' states in a form the dashboard shows at a glance."""
    states = device_states(db, now)
    scanners = [s for s in states if s["kind"] == "scanner"]
    printer = print_queue.printer_state(db)
    notify = notify_queue.queue_state(db, now)
    scanner_ok = bool(scanners) and any(
        s["state"] in GOOD_STATES and not s["stale"] for s in scanners
    )
    return {
        "printer": printer,
        "printer_ok": bool(printer and printer["state"] in PRINTER_GOOD_STATES),
        "scanners": scanners,
        "scanner_ok": scanner_ok,
        "failing": len(print_queue.failing_jobs(db, limit=20)),
        "pending": print_queue.pending_count(db),
        "notify": notify,
        "notify_last_sent": from_db(notify["last_sent_at"]) if notify["last_sent_at"] else None,
        "notify_ok": not notify["retrying"] and not notify["failed_recent"],
        "email_on": notify_config().email_on,
    }


@bp.get("/devices")
@login_required
def index() -> str:
    """The printer, the scanners and the recent print jobs."""
    db = get_db()
    staff = current_staff()
    settings = None
    is_admin = bool(staff and staff["role"] == "admin")
    if is_admin:
        settings = [(key, getattr(app_settings(), key.lower())) for key in SHOWN_SETTINGS]
    return render_template(
        "staff/devices.html",
        devices=device_summary(db, clock().now()),
        jobs=print_queue.recent_jobs(db, limit=25),
        notifications=notify_queue.recent(db, limit=25),
        settings=settings,
        is_admin=is_admin,
        doors=[
            {**door, "paired_at": from_db(door["paired_at"]) if door["paired_at"] else None}
            for door in doors.list_doors(db)
        ],
        door_default=app_settings().door_camera,
        pairing=_pairing_offer(db) if is_admin else None,
        door_error=request.args.get("door_error") == "1",
    )


def _pairing_offer(db: sqlite_utils.Database) -> dict[str, Any] | None:
    # The QR code is shown right after staff ask for it (?pair=ID) and only while its
    # single-use code is still on offer.
    try:
        door = doors.get_door(db, int(request.args.get("pair", "")))
    except (NotFound, ValueError):
        return None
    if not door["pair_nonce"]:
        return None
    url = pairing_url(door["id"], door["pair_nonce"])
    return {"door": door, "url": url, "qr": qr_data_uri(url)}


@bp.post("/devices/doors")
@admin_required
def add_door():
    """Add a door device and show the QR code that pairs a tablet with it."""
    db = get_db()
    try:
        door_id = doors.add_door(
            db, request.form.get("name", ""), clock().now(), request.form.get("camera")
        )
    except InvalidInput:
        return redirect(url_for("staff.devices.index", door_error=1))
    audit.record(db, clock().now(), actor(), "door.add", f"door:{door_id}")
    return redirect(url_for("staff.devices.index", pair=door_id, _anchor="pairing"))


@bp.post("/devices/doors/<int:door_id>/pair")
@admin_required
def pair_door(door_id: int):
    """Offer a new pairing QR code for the door (the earlier one stops working)."""
    db = get_db()
    try:
        doors.new_pairing_nonce(db, door_id)
    except NotFound:
        abort(404)
    audit.record(db, clock().now(), actor(), "door.pairing_code", f"door:{door_id}")
    return redirect(url_for("staff.devices.index", pair=door_id, _anchor="pairing"))


@bp.post("/devices/doors/<int:door_id>/camera")
@admin_required
def set_door_camera(door_id: int):
    """Choose where this door scans: the default, the server's webcam, its own camera, none."""
    db = get_db()
    camera = request.form.get("camera")
    try:
        doors.set_door_camera(db, door_id, camera)
    except NotFound:
        abort(404)
    except InvalidInput:
        abort(400)
    audit.record(db, clock().now(), actor(), "door.camera", f"door:{door_id}", camera=camera)
    return redirect(url_for("staff.devices.index", _anchor="doors"))


@bp.post("/devices/doors/<int:door_id>/remove")
@admin_required
def remove_door(door_id: int):
    """Forget a door device: its tablet stops being a door at its next page."""
    db = get_db()
    try:
        doors.remove_door(db, door_id)
    except NotFound:
        abort(404)
    audit.record(db, clock().now(), actor(), "door.remove", f"door:{door_id}")
    return redirect(url_for("staff.devices.index", _anchor="doors"))


@bp.post("/devices/jobs/<int:job_id>/reprint")
@login_required
def reprint(job_id: int):
    """Queue a print job again (a badge that came out badly, or was never printed)."""
    db = get_db()
    try:
        job = print_queue.get_job(db, job_id)
    except print_queue.JobNotFound:
        abort(404)
    # Reprinting is printing: the same role as printing that kind in the first place.
    if print_queue.reprint_role(job["kind"]) == "admin" and current_staff()["role"] != "admin":
        abort(403)
    try:
        new_id = print_queue.reprint(db, job_id, clock().now())
    except print_queue.JobNotReprintable:
        abort(409)
    audit.record(db, clock().now(), actor(), "print.reprint", f"job:{job_id}", new_job=new_id)
    return redirect(url_for("staff.devices.index"))
