"""Staff event pages under /staff/events: the list, the form, registrations, name tags and
introductions. The door's event routes (today's events, joining, the board) stay with the door
in :mod:`kiosk.web.views.events`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from kiosk import audit, events, introductions
from kiosk.errors import FormInvalid, InvalidInput, NotFound
from kiosk.timeutil import from_db
from kiosk.web.db import get_db
from kiosk.web.views.context import app_settings, clock
from kiosk.web.views.events import KIND_LABELS
from kiosk.web.views.staff.auth import actor, admin_required, login_required

bp = Blueprint("events", __name__, url_prefix="/events")

FIELD_MESSAGES = {
    "title": _l("Please give the event a title (at most 120 characters)."),
    "kind": _l("Please choose the kind of event."),
    "day": _l("Please give the date, e.g. 2026-11-26."),
    "starts": _l("Please give the start time, e.g. 13:00."),
    "ends": _l("Please give an end time after the start time."),
    "capacity": _l("Capacity is a whole number of at least 1, or empty for no limit."),
    "room": _l("The room name is too long."),
    "host": _l("The host's name is too long."),
    "description": _l("The description is too long (at most 1000 characters)."),
}


def _tz():
    return app_settings().tz


def _staff_event(event: dict[str, Any]) -> dict[str, Any]:
    event = dict(event)
    event["start_local"] = from_db(event["starts_at"]).astimezone(_tz())
    event["end_local"] = from_db(event["ends_at"]).astimezone(_tz())
    event["kind_label"] = str(KIND_LABELS.get(event["kind"], event["kind"]))
    return event


@bp.get("/")
@login_required
def index() -> str:
    """Upcoming events (and those of the last 30 days), with their registrations."""
    db = get_db()
    now = clock().now()
    upcoming = events.events_between(db, now - timedelta(hours=12), now + timedelta(days=120))
    upcoming = [e for e in upcoming if from_db(e["ends_at"]) > now]
    past = events.events_between(db, now - timedelta(days=30), now)
    past = [e for e in past if from_db(e["ends_at"]) <= now]
    return render_template(
        "staff/events.html",
        upcoming=[_staff_event(e) for e in upcoming],
        past=[_staff_event(e) for e in reversed(past)],
    )


def _form_from_request() -> events.EventInput:
    form = request.form
    return events.EventInput(
        title=form.get("title", ""),
        kind=form.get("kind", ""),
        day=form.get("day", ""),
        starts=form.get("starts", ""),
        ends=form.get("ends", ""),
        room=form.get("room", ""),
        capacity=form.get("capacity", ""),
        host=form.get("host", ""),
        description=form.get("description", ""),
    )


def _render_form(form: events.EventInput, event: dict[str, Any] | None, errors: dict[str, str]):
    return render_template(
        "staff/events_form.html",
        form=form,
        event=event,
        errors={field: str(FIELD_MESSAGES.get(field, "")) for field in errors},
        kinds=[(kind, str(KIND_LABELS[kind])) for kind in events.KINDS],
    ), (400 if errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Create an event."""
    if request.method == "POST":
        form = _form_from_request()
        try:
            event_id = events.create_event(get_db(), form, clock().now(), _tz())
        except FormInvalid as exc:
            return _render_form(form, None, exc.errors)
        audit.record(get_db(), clock().now(), actor(), "event.create", f"event:{event_id}")
        return redirect(url_for("staff.events.detail", event_id=event_id, saved=1))
    day = clock().now().astimezone(_tz()).date().isoformat()
    return _render_form(events.EventInput(title="", kind="työpaja", day=day), None, {})


def _event_or_404(event_id: int) -> dict[str, Any]:
    try:
        return events.get_event(get_db(), event_id)
    except NotFound:
        abort(404)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(event_id: int):
    """Change an event's details."""
    event = _event_or_404(event_id)
    if request.method == "POST":
        form = _form_from_request()
        try:
            events.update_event(get_db(), event_id, form, _tz())
        except FormInvalid as exc:
            return _render_form(form, event, exc.errors)
        audit.record(get_db(), clock().now(), actor(), "event.edit", f"event:{event_id}")
        return redirect(url_for("staff.events.detail", event_id=event_id, saved=1))
    return _render_form(events.form_from_event(event, _tz()), event, {})


@bp.post("/<int:event_id>/cancel")
@admin_required
def cancel(event_id: int):
    """Cancel an event (it stays in the reports, marked cancelled)."""
    _event_or_404(event_id)
    if events.cancel_event(get_db(), event_id, clock().now()):
        audit.record(get_db(), clock().now(), actor(), "event.cancel", f"event:{event_id}")
    return redirect(url_for("staff.events.detail", event_id=event_id))


@bp.get("/<int:event_id>")
@login_required
def detail(event_id: int) -> str:
    """An event and who registered, who is in the house, who attended; name tags."""
    _event_or_404(event_id)
    db = get_db()
    event = _staff_event(events.get_event(db, event_id))
    return render_template(
        "staff/events_detail.html",
        event=event,
        people=events.registrations(db, event_id),
        printed=request.args.get("printed", type=int),
    )


def _wake_printer() -> None:
    worker = current_app.extensions.get("kiosk.print_worker")
    if worker is not None:
        worker.wake()


@bp.post("/<int:event_id>/name-tags")
@login_required
def name_tags(event_id: int):
    """One tap: a name tag for everyone registered (or for one registration)."""
    _event_or_404(event_id)
    only = request.form.get("registration", type=int)
    db = get_db()
    jobs = events.queue_name_tags(
        db,
        event_id,
        clock().now(),
        _tz(),
        logo=app_settings().badge_logo or "",
        registration_ids=None if only is None else [only],
    )
    audit.record(db, clock().now(), actor(), "event.name_tags", f"event:{event_id}", jobs=len(jobs))
    _wake_printer()
    return redirect(url_for("staff.events.detail", event_id=event_id, printed=len(jobs)))


@bp.post("/<int:event_id>/registrations/<int:registration_id>/attended")
@login_required
def attended(event_id: int, registration_id: int):
    """Mark a registration attended (or not) by hand."""
    _event_or_404(event_id)
    try:
        events.set_attended(
            get_db(), registration_id, request.form.get("attended") == "1", clock().now()
        )
    except NotFound:
        abort(404)
    audit.record(
        get_db(), clock().now(), actor(), "event.attendance", f"registration:{registration_id}"
    )
    return redirect(url_for("staff.events.detail", event_id=event_id))


@bp.post("/<int:event_id>/registrations/<int:registration_id>/remove")
@login_required
def remove(event_id: int, registration_id: int):
    """Remove a registration (the person cancelled)."""
    _event_or_404(event_id)
    if not events.unregister(get_db(), registration_id):
        abort(404)
    audit.record(
        get_db(), clock().now(), actor(), "event.unregister", f"registration:{registration_id}"
    )
    return redirect(url_for("staff.events.detail", event_id=event_id))


@bp.get("/introductions")
@login_required
def introductions_page() -> str:
    """Suggested introductions among the members in the house now."""
    return render_template(
        "staff/introductions.html",
        suggestions=introductions.suggestions(get_db()),
        dismissed=request.args.get("dismissed") == "1",
    )


@bp.post("/introductions/dismiss")
@login_required
def dismiss_introduction():
    """Dismiss one suggestion (the pair will not be suggested again)."""
    helper = request.form.get("helper", type=int)
    seeker = request.form.get("seeker", type=int)
    if helper is None or seeker is None:
        abort(400)
    try:
        introductions.dismiss(get_db(), helper, seeker, clock().now(), actor())
    except InvalidInput:
        abort(400)
    return redirect(url_for("staff.events.introductions_page", dismissed=1))
