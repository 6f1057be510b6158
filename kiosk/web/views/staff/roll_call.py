"""Fire roll call: one tap lists everyone inside on a printable page and prints it.

During an evacuation the hosts tick people off on their phones: each tick is saved and
sent on the staff live stream, so every host's list shows it at once, with the number
still unaccounted for. The printed list stays the same.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale

from kiosk import audit
from kiosk.printing import queue as print_queue
from kiosk.roll_call import (
    accounted_visits,
    current_roll_call,
    print_payload,
    roll_call,
    set_accounted,
    start_roll_call,
)
from kiosk.web.db import get_db
from kiosk.web.views.context import app_settings, broker, clock
from kiosk.web.views.staff.auth import actor, login_required

bp = Blueprint("roll_call", __name__)


@bp.get("/roll-call")
@login_required
def page() -> str:
    """Everyone present now, with check-in times; print CSS makes it a clean sheet."""
    tz = app_settings().tz
    job_id = request.args.get("job", type=int)
    db = get_db()
    rows = roll_call(db, tz)
    accounted = accounted_visits(db, current_roll_call(db, clock().now()))
    return render_template(
        "staff/roll_call.html",
        rows=rows,
        accounted=accounted,
        unaccounted=sum(1 for row in rows if row.visit_id not in accounted),
        made=clock().now().astimezone(tz),
        job_id=job_id,
    )


@bp.post("/roll-call/tick")
@login_required
def tick():
    """Tick a person accounted for (``tick=VISIT:1``) or untick them (``VISIT:0``)."""
    try:
        visit_text, state = request.form.get("tick", "").split(":", 1)
        visit_id = int(visit_text)
    except ValueError:
        abort(400)
    if state not in {"0", "1"}:
        abort(400)
    db = get_db()
    now = clock().now()
    present = {row.visit_id for row in roll_call(db, app_settings().tz)}
    if visit_id not in present:
        abort(404)
    call_id = current_roll_call(db, now) or start_roll_call(db, now, actor())
    set_accounted(db, call_id, visit_id, state == "1", now, actor())
    accounted = accounted_visits(db, call_id)
    message = {
        "visit_id": visit_id,
        "accounted": state == "1",
        "unaccounted": len(present - accounted),
    }
    broker().publish("staff", "rollcall", message)
    if request.headers.get("X-Requested-With") == "fetch":
        return jsonify(message)
    return redirect(url_for("staff.roll_call.page") + f"#visit-{visit_id}")


@bp.post("/roll-call")
@login_required
def fire():
    """Queue the roll call on the thermal printer, then show the page."""
    db = get_db()
    tz = app_settings().tz
    now = clock().now()
    rows = roll_call(db, tz)
    # A new evacuation starts with nobody ticked; a second host pressing the button during
    # the same one must not wipe the ticks already made.
    if current_roll_call(db, now) is None:
        start_roll_call(db, now, actor())
    job_id = print_queue.enqueue(
        db, "roll_call", print_payload(rows, now, tz, str(get_locale())), now
    )
    audit.record(db, now, actor(), "roll_call.print", f"job:{job_id}", people=len(rows))
    return redirect(url_for("staff.roll_call.page", job=job_id))
