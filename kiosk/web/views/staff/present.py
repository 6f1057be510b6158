"""Who is here now: host alerts first, the present list, manual check-in and check-out.

The page follows the ``staff`` live stream; on each event it fetches :func:`fragment` again,
and when the stream is refused (503) or breaks, it polls the fragment every 10 seconds.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from kiosk import audit
from kiosk.check_in import check_in_by_hand
from kiosk.errors import NotFound
from kiosk.members import get_member, search_members
from kiosk.moods import mark_handled, open_alerts
from kiosk.notify import dispatch as notify_dispatch
from kiosk.stats import occupancy_now
from kiosk.timeutil import from_db
from kiosk.transactions import write_transaction
from kiosk.visits import (
    close_visit,
    present_visits,
    reopen_manual_check_out,
    visit_full_name,
)
from kiosk.web.db import get_db
from kiosk.web.views.context import app_settings, broker, clock
from kiosk.web.views.door import TOPIC_LABELS
from kiosk.web.views.staff.auth import actor, login_required
from kiosk.web.views.staff.devices import device_summary
from kiosk.web.views.staff.notifications import duty_state
from kiosk.web.views.streams import event_stream_response

bp = Blueprint("present", __name__)

POLL_SECONDS = 10
# How long a check-out made by hand can be undone from the notice that follows it.
UNDO_WINDOW = timedelta(minutes=10)
MOOD_LABELS = {
    4: _l("A bit heavy"),
    5: _l("Really hard"),
}


def _local(text: str | None):
    return from_db(text).astimezone(app_settings().tz) if text else None


def _alerts() -> list[dict[str, Any]]:
    alerts = []
    now = clock().now()
    for row in open_alerts(get_db()):
        row["created_local"] = _local(row["created_at"])
        waited = now - from_db(row["created_at"])
        row["waited_minutes"] = max(0, int(waited.total_seconds() // 60))
        row["topic_labels"] = [str(TOPIC_LABELS.get(t, t)) for t in row["topics"]]
        row["mood_label"] = str(MOOD_LABELS.get(row["mood"], "")) if row["mood"] else ""
        alerts.append(row)
    return alerts


def _present() -> list[dict[str, Any]]:
    people = present_visits(get_db())
    for row in people:
        row["since_local"] = _local(row["checked_in_at"])
    return people


def live_context() -> dict[str, Any]:
    """What the live part of the dashboard shows."""
    db = get_db()
    return {
        "alerts": _alerts(),
        "present": _present(),
        "occupancy": occupancy_now(db, clock().now(), app_settings().capacity),
        "devices": device_summary(db, clock().now()),
        "updated": clock().now().astimezone(app_settings().tz),
    }


@bp.get("/")
@login_required
def index() -> str:
    """The dashboard's first page: alerts, who is here, the devices."""
    checked_out = request.args.get("out", type=int)
    undone = request.args.get("undone", type=int)
    return render_template(
        "staff/present.html",
        poll_seconds=POLL_SECONDS,
        checked_out=checked_out,
        checked_out_name=visit_full_name(get_db(), checked_out) if checked_out else "",
        undone_name=visit_full_name(get_db(), undone) if undone else "",
        duty=duty_state(),
        **live_context(),
    )


@bp.get("/present/fragment")
@login_required
def fragment() -> str:
    """The live part of the dashboard as an HTML fragment, for the page's script."""
    return render_template("staff/_live.html", **live_context())


@bp.get("/stream")
@login_required
def stream():
    """The staff live stream (server-sent events); 503 when every slot is taken."""
    return event_stream_response("staff")


@bp.post("/alerts/<int:alert_id>/handled")
@login_required
def alert_handled(alert_id: int):
    """Mark a host alert handled."""
    db = get_db()
    try:
        with write_transaction(db):
            mark_handled(db, alert_id, clock().now(), actor())
            # Handled: the reminder that has not gone out yet is not sent.
            notify_dispatch.alert_handled(db, alert_id, clock().now())
    except NotFound:
        abort(404)
    audit.record(db, clock().now(), actor(), "alert.handled", f"alert:{alert_id}")
    broker().publish("staff", "alert", {"alert_id": alert_id, "handled": True})
    return redirect(url_for("staff.present.index"))


@bp.post("/visits/<int:visit_id>/check-out")
@login_required
def check_out(visit_id: int):
    """Check a person out by hand (they left without scanning)."""
    db = get_db()
    if not close_visit(db, visit_id, clock().now(), "manual"):
        abort(404)
    audit.record(db, clock().now(), actor(), "visit.check_out", f"visit:{visit_id}")
    broker().publish("staff", "presence", {"result": "checked_out", "visit_id": visit_id})
    return redirect(url_for("staff.present.index", out=visit_id))


@bp.post("/visits/<int:visit_id>/undo-check-out")
@login_required
def undo_check_out(visit_id: int):
    """Undo a check-out made by hand a moment ago (the wrong row was tapped)."""
    db = get_db()
    if not reopen_manual_check_out(db, visit_id, clock().now(), UNDO_WINDOW):
        abort(409)
    audit.record(db, clock().now(), actor(), "visit.undo_check_out", f"visit:{visit_id}")
    broker().publish("staff", "presence", {"result": "checked_in", "visit_id": visit_id})
    return redirect(url_for("staff.present.index", undone=visit_id))


@bp.route("/check-in", methods=["GET", "POST"])
@login_required
def check_in():
    """Find a member by name or company and check them in by hand (a forgotten phone)."""
    db = get_db()
    if request.method == "POST":
        try:
            member_id = int(request.form.get("member_id", ""))
            member = get_member(db, member_id)
        except (ValueError, NotFound):
            abort(404)
        if not member["active"] or member["forgotten_at"]:
            abort(409)
        visit_id = check_in_by_hand(db, member_id, clock().now(), app_settings())
        audit.record(db, clock().now(), actor(), "visit.check_in", f"member:{member_id}")
        broker().publish("staff", "presence", {"result": "checked_in", "visit_id": visit_id})
        return redirect(url_for("staff.present.index"))
    query = request.args.get("q", "")[:100].strip()
    found = []
    if query:
        present_ids = {row["member_id"] for row in present_visits(db) if row["member_id"]}
        found = [
            {
                "id": row["id"],
                "name": row["name"],
                "company": row["company"],
                "present": row["id"] in present_ids,
            }
            # Hosts find people by name and company only: email is not theirs to search.
            for row in search_members(db, query, limit=20, include_email=False)
            if row["active"]
        ]
    return render_template("staff/check_in.html", query=query, found=found)
