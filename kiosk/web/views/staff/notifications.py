"""Each staff member's own notification choices, and the on-duty switch."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from kiosk import audit
from kiosk.closing import parse_closing_time
from kiosk.errors import InvalidInput
from kiosk.notify.staff_choices import (
    STAFF_KINDS,
    Choices,
    get_staff,
    in_quiet_hours,
    on_duty,
    save_choices,
    set_on_duty,
)
from kiosk.timeutil import from_db
from kiosk.web.db import get_db
from kiosk.web.safe_paths import local_path
from kiosk.web.views.context import app_settings, clock
from kiosk.web.views.staff.auth import actor, current_staff, login_required

bp = Blueprint("notifications", __name__)

KIND_LABELS = {
    "request": _l("Chat and help requests"),
    "low_mood": _l("Someone would welcome a word"),
    "guest": _l("My guests arriving"),
    "reminder": _l("Reminders of requests nobody has handled"),
    "digest": _l("A daily digest in the morning"),
}
FIELD_MESSAGES = {
    "email": _l("That is not a valid email address. Check it and try again."),
    "quiet_from": _l("Quiet hours need a start and an end, such as 21:00 and 7:00."),
    "quiet_until": _l("Quiet hours need a start and an end, such as 21:00 and 7:00."),
}


def duty_state() -> dict[str, object]:
    """The logged-in person's duty state for the dashboard's switch."""
    staff = get_staff(get_db(), current_staff()["id"])
    now = clock().now()
    tz = app_settings().tz
    return {
        "on_duty": on_duty(staff, now),
        "until": from_db(staff["on_duty_until"]).astimezone(tz) if on_duty(staff, now) else None,
        "quiet": in_quiet_hours(staff, now, tz),
        "has_email": bool(staff.get("email")),
    }


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def settings():
    """Where my notifications go, which kinds, and my quiet hours."""
    db = get_db()
    user_id = current_staff()["id"]
    errors: dict[str, str] = {}
    saved = False
    form = request.form
    if request.method == "POST":
        choices = Choices(
            email=form.get("email", "")[:254],
            display_name=form.get("display_name", "")[:60],
            kinds=tuple(k for k in form.getlist("kind") if k in STAFF_KINDS),
            quiet_from=form.get("quiet_from", "")[:5],
            quiet_until=form.get("quiet_until", "")[:5],
        )
        try:
            save_choices(db, user_id, choices)
        except InvalidInput as exc:
            errors[exc.field or "email"] = str(FIELD_MESSAGES.get(exc.field or "", exc))
        else:
            audit.record(db, clock().now(), actor(), "notify.choices", f"staff:{user_id}")
            saved = True
    staff = get_staff(db, user_id)
    values = (
        dict(form)
        if errors
        else {
            "email": staff.get("email") or "",
            "display_name": staff.get("display_name") or "",
            "quiet_from": staff.get("quiet_from") or "",
            "quiet_until": staff.get("quiet_until") or "",
        }
    )
    kinds = form.getlist("kind") if errors else staff["kinds"]
    return render_template(
        "staff/notifications.html",
        values=values,
        kinds=kinds,
        kind_labels=[(k, str(KIND_LABELS[k])) for k in STAFF_KINDS],
        errors=errors,
        saved=saved,
        duty=duty_state(),
    ), (400 if errors else 200)


@bp.post("/duty")
@login_required
def duty():
    """Switch myself on duty (until closing time) or off."""
    db = get_db()
    user_id = current_staff()["id"]
    on = request.form.get("on") == "1"
    set_on_duty(
        db,
        user_id,
        on,
        clock().now(),
        parse_closing_time(app_settings().closing_time),
        app_settings().tz,
    )
    audit.record(db, clock().now(), actor(), "staff.on_duty" if on else "staff.off_duty")
    return redirect(local_path(request.form.get("next") or url_for("staff.present.index")))
