"""Printer and scanner status, the print queue with reprint, and the settings in force."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils
from flask import Blueprint, abort, current_app, redirect, render_template, url_for

from kiosk import audit
from kiosk.devices import device_states
from kiosk.printing import queue as print_queue
from kiosk.web.db import get_db
from kiosk.web.views.context import clock
from kiosk.web.views.staff.auth import actor, current_staff, login_required

bp = Blueprint("devices", __name__)

SHOWN_SETTINGS = (
    "TIMEZONE",
    "CLOSING_TIME",
    "CAPACITY",
    "MEMBER_BADGE_POLICY",
    "PRINTER",
    "CAMERA",
    "THREADS",
    "MAX_STREAMS",
    "MIN_GROUP_SIZE",
    "RETENTION_MONTHS",
    "CONSENT_VERSION",
    "SESSION_COOKIE_SECURE",
)
GOOD_STATES = {"ok"}
# The printer states in which jobs are sent (printer.transports.PrinterStatus.can_print).
PRINTER_GOOD_STATES = {"ok", "ready", "paper_low", "unknown"}


def device_summary(db: sqlite_utils.Database, now: datetime) -> dict[str, Any]:
    """The printer's and scanners' states in a form the dashboard shows at a glance."""
    states = device_states(db, now)
    scanners = [s for s in states if s["kind"] == "scanner"]
    printer = print_queue.printer_state(db)
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
    }


@bp.get("/devices")
@login_required
def index() -> str:
    """The printer, the scanners and the recent print jobs."""
    db = get_db()
    staff = current_staff()
    settings = None
    if staff and staff["role"] == "admin":
        settings = [(key, current_app.config.get(key)) for key in SHOWN_SETTINGS]
    return render_template(
        "staff/devices.html",
        devices=device_summary(db, clock().now()),
        jobs=print_queue.recent_jobs(db, limit=25),
        settings=settings,
    )


@bp.post("/devices/jobs/<int:job_id>/reprint")
@login_required
def reprint(job_id: int):  # noqa: ANN201
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
