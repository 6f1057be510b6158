"""Fire roll call: one tap lists everyone inside on a printable page and prints it."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale

from kiosk import audit
from kiosk.printing import queue as print_queue
from kiosk.roll_call import print_payload, roll_call
from kiosk.web.db import get_db
from kiosk.web.views.context import app_settings, clock
from kiosk.web.views.staff.auth import actor, login_required

bp = Blueprint("roll_call", __name__)


@bp.get("/roll-call")
@login_required
def page() -> str:
    """Everyone present now, with check-in times; print CSS makes it a clean sheet."""
    tz = app_settings().tz
    job_id = request.args.get("job", type=int)
    return render_template(
        "staff/roll_call.html",
        rows=roll_call(get_db(), tz),
        made=clock().now().astimezone(tz),
        job_id=job_id,
    )


@bp.post("/roll-call")
@login_required
def fire():  # noqa: ANN201
    """Queue the roll call on the thermal printer, then show the page."""
    db = get_db()
    tz = app_settings().tz
    now = clock().now()
    rows = roll_call(db, tz)
    job_id = print_queue.enqueue(
        db, "roll_call", print_payload(rows, now, tz, str(get_locale())), now
    )
    audit.record(db, now, actor(), "roll_call.print", f"job:{job_id}", people=len(rows))
    return redirect(url_for("staff.roll_call.page", job=job_id))
