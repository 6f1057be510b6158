"""Events at the door and on the dashboard; the "Täällä tänään" board; introductions.

Door routes (no login; nothing here names a person who did not ask to be shown):

* ``GET /events/today``: today's events: title, time, room, places; never who registered.
* ``POST /hello/<token>/join/<event_id>``: "Osallistun" on a person's own greeting.
* ``POST /hello/<token>/board``: show (or stop showing) me on the board, for this visit.
* ``GET /board``: the board, on door devices only: first name, company, chosen topics.

Staff routes under ``/staff/events`` (the dashboard's login; admins change events):
the list, new/edit/cancel, an event's registrations with attendance and one-tap name tags,
and the suggested introductions among the people present now.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l

from kiosk import audit, events, here_today, introductions
from kiosk.errors import FormInvalid, InvalidInput, NotFound
from kiosk.timeutil import from_db
from kiosk.visits import ScanResult
from kiosk.web.db import get_db
from kiosk.web.i18n import clock_text
from kiosk.web.screen_tokens import ScreenExpired, read_screen_token
from kiosk.web.views.context import broker, clock
from kiosk.web.views.door import TOPIC_LABELS, _screen
from kiosk.web.views.staff import auth
from kiosk.web.views.staff.auth import actor, admin_required, login_required
from kiosk.web.views.streams import is_door_device

bp = Blueprint("events", __name__)
staff_bp = Blueprint("staff", __name__, url_prefix="/staff/events")
staff_bp.before_request(auth.load_staff_user)
staff_bp.context_processor(auth.staff_context)

KIND_LABELS = {
    "valmennus": _l("Coaching"),
    "työpaja": _l("Workshop"),
    "virkistys": _l("Recreation"),
    "vertaisryhmä": _l("Peer group"),
    "muu": _l("Other"),
}
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
PRESENT_RESULTS = {ScanResult.CHECKED_IN.value, ScanResult.REPEAT.value}


def _tz():  # noqa: ANN202
    return current_app.config["TZ"]


def _topic_label(topic: str) -> str:
    return str(TOPIC_LABELS.get(topic, topic))


def _door_event(event: dict[str, Any]) -> dict[str, Any]:
    """Only what the door may show of an event: never who registered."""
    start = from_db(event["starts_at"]).astimezone(_tz())
    end = from_db(event["ends_at"]).astimezone(_tz())
    return {
        "id": event["id"],
        "title": event["title"],
        "kind": event["kind"],
        "kind_label": str(KIND_LABELS.get(event["kind"], event["kind"])),
        "starts": clock_text(start),
        "ends": clock_text(end),
        "room": event["room"] or "",
        "host": event["host"] or "",
        "description": event["description"] or "",
        "full": event["full"],
        "places_left": event["places_left"],
        "running": events.is_running(event, clock().now()),
    }


def door_events_today() -> list[dict[str, Any]]:
    """Today's events that are not over, as the door shows them."""
    return [_door_event(e) for e in events.todays_events(get_db(), clock().now(), _tz())]


def greeting_extras(token: str) -> dict[str, Any] | None:
    """What the greeting's extras show for this person's screen, or None to show nothing."""
    try:
        data = read_screen_token(current_app.secret_key, token)
    except ScreenExpired:
        return None
    db = get_db()
    visit = list(db.query("SELECT * FROM visits WHERE id = ?", [data.get("v")]))
    if not visit or visit[0]["checked_out_at"] is not None:
        return None
    visit = visit[0]
    today = door_events_today()
    joined = (
        events.person_registrations(
            db, [e["id"] for e in today], member_id=visit["member_id"], guest_id=visit["guest_id"]
        )
        if (visit["member_id"] or visit["guest_id"])
        else set()
    )
    extras: dict[str, Any] = {
        "events": today,
        "joined": joined,
        "is_member": visit["member_id"] is not None,
        "notice": request.args.get("ev", ""),
        "notice_event": request.args.get("e", type=int),
    }
    if data.get("w"):  # reached by email or phone: nothing beyond the check-in
        return None
    if extras["is_member"]:
        shown, topics = here_today.visit_board_state(db, visit["id"])
        choices = here_today.topic_choices(db, visit["id"], current_app.config["HELP_TOPICS"])
        extras.update(
            board_shown=shown,
            board_topics={t.casefold() for t in topics},
            topic_choices=[(t, _topic_label(t)) for t in choices],
        )
    return extras


@bp.app_context_processor
def events_context() -> dict[str, Any]:
    """Callables for the door partials (_today.html, _greeting_extras.html); they run only
    when a template calls them."""
    return {"door_events_today": door_events_today, "greeting_extras": greeting_extras}


def _back_to_person(token: str, **args: Any):  # noqa: ANN202
    return redirect(url_for("door.person", token=token, **args) + "#events-extras")


def _present_visit(token: str) -> dict[str, Any]:
    # Joining an event or showing on the board needs the card (or the PIN), not an email.
    data = _screen(token, full=True)
    person = data["person"]
    if data["r"] not in PRESENT_RESULTS or person["checked_out_at"] is not None:
        abort(400)
    return person


@bp.post("/hello/<token>/join/<int:event_id>")
def join(token: str, event_id: int):  # noqa: ANN201
    """ "Osallistun": the person on this screen registers for an event of today."""
    person = _present_visit(token)
    db = get_db()
    try:
        event = events.get_event(db, event_id)
    except NotFound:
        abort(404)
    day = from_db(event["starts_at"]).astimezone(_tz()).date()
    if day != clock().now().astimezone(_tz()).date():
        abort(400)  # the door offers today's events only
    try:
        events.register(
            db,
            event_id,
            clock().now(),
            member_id=person["member_id"],
            guest_id=person["guest_id"],
            visit_id=person["id"],
        )
    except events.EventFull:
        return _back_to_person(token, ev="full", e=event_id)
    except events.EventClosed:
        return _back_to_person(token, ev="closed", e=event_id)
    broker().publish("staff", "event", {"event_id": event_id})
    return _back_to_person(token, ev="joined", e=event_id)


@bp.post("/hello/<token>/board")
def board_opt_in(token: str):  # noqa: ANN201
    """Show me on the "Täällä tänään" board for this visit, with these topics (or stop)."""
    person = _present_visit(token)
    if person["kind"] != "member":
        abort(400)
    db = get_db()
    if request.form.get("show") != "1":
        here_today.opt_out(db, person["id"])
        return _back_to_person(token, ev="board_off")
    try:
        here_today.opt_in(
            db, person["id"], request.form.getlist("topic"), current_app.config["HELP_TOPICS"]
        )
    except (InvalidInput, NotFound):
        abort(400)
    return _back_to_person(token, ev="board_on")


@bp.get("/events/today")
def today() -> str:
    """Today's events for anyone at the door: what, when, where, whether there is room."""
    return render_template("door/events_today.html", events=door_events_today())


@bp.get("/board")
def board() -> str:
    """The "Täällä tänään" board. Door devices only: people agreed to be seen on the kiosk,
    not by every browser on the network."""
    if not is_door_device():
        abort(403)
    people = [
        {**row, "topics": [_topic_label(t) for t in row["topics"]]}
        for row in here_today.board(get_db())
    ]
    return render_template("door/board.html", people=people)


# --- staff ----------------------------------------------------------------------------------


def _staff_event(event: dict[str, Any]) -> dict[str, Any]:
    event = dict(event)
    event["start_local"] = from_db(event["starts_at"]).astimezone(_tz())
    event["end_local"] = from_db(event["ends_at"]).astimezone(_tz())
    event["kind_label"] = str(KIND_LABELS.get(event["kind"], event["kind"]))
    return event


@staff_bp.get("/")
@login_required
def index() -> str:
    """Upcoming events (and those of the last 30 days), with their registrations."""
    db = get_db()
    now = clock().now()
    events.settle_attendance(db, now)
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


def _render_form(form: events.EventInput, event: dict[str, Any] | None, errors: dict[str, str]):  # noqa: ANN202
    return render_template(
        "staff/events_form.html",
        form=form,
        event=event,
        errors={field: str(FIELD_MESSAGES.get(field, "")) for field in errors},
        kinds=[(kind, str(KIND_LABELS[kind])) for kind in events.KINDS],
    ), (400 if errors else 200)


@staff_bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():  # noqa: ANN201
    """Create an event."""
    if request.method == "POST":
        form = _form_from_request()
        try:
            event_id = events.create_event(get_db(), form, clock().now(), _tz())
        except FormInvalid as exc:
            return _render_form(form, None, exc.errors)
        audit.record(get_db(), clock().now(), actor(), "event.create", f"event:{event_id}")
        return redirect(url_for("events.staff.detail", event_id=event_id, saved=1))
    day = clock().now().astimezone(_tz()).date().isoformat()
    return _render_form(events.EventInput(title="", kind="työpaja", day=day), None, {})


def _event_or_404(event_id: int) -> dict[str, Any]:
    try:
        return events.get_event(get_db(), event_id)
    except NotFound:
        abort(404)


@staff_bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(event_id: int):  # noqa: ANN201
    """Change an event's details."""
    event = _event_or_404(event_id)
    if request.method == "POST":
        form = _form_from_request()
        try:
            events.update_event(get_db(), event_id, form, _tz())
        except FormInvalid as exc:
            return _render_form(form, event, exc.errors)
        audit.record(get_db(), clock().now(), actor(), "event.edit", f"event:{event_id}")
        return redirect(url_for("events.staff.detail", event_id=event_id, saved=1))
    return _render_form(events.form_from_event(event, _tz()), event, {})


@staff_bp.post("/<int:event_id>/cancel")
@admin_required
def cancel(event_id: int):  # noqa: ANN201
    """Cancel an event (it stays in the reports, marked cancelled)."""
    _event_or_404(event_id)
    if events.cancel_event(get_db(), event_id, clock().now()):
        audit.record(get_db(), clock().now(), actor(), "event.cancel", f"event:{event_id}")
    return redirect(url_for("events.staff.detail", event_id=event_id))


@staff_bp.get("/<int:event_id>")
@login_required
def detail(event_id: int) -> str:
    """An event and who registered, who is in the house, who attended; name tags."""
    _event_or_404(event_id)
    db = get_db()
    events.settle_attendance(db, clock().now(), event_ids=[event_id])
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


@staff_bp.post("/<int:event_id>/name-tags")
@login_required
def name_tags(event_id: int):  # noqa: ANN201
    """One tap: a name tag for everyone registered (or for one registration)."""
    _event_or_404(event_id)
    only = request.form.get("registration", type=int)
    db = get_db()
    jobs = events.queue_name_tags(
        db,
        event_id,
        clock().now(),
        _tz(),
        logo=current_app.config.get("BADGE_LOGO") or "",
        registration_ids=None if only is None else [only],
    )
    audit.record(db, clock().now(), actor(), "event.name_tags", f"event:{event_id}", jobs=len(jobs))
    _wake_printer()
    return redirect(url_for("events.staff.detail", event_id=event_id, printed=len(jobs)))


@staff_bp.post("/<int:event_id>/registrations/<int:registration_id>/attended")
@login_required
def attended(event_id: int, registration_id: int):  # noqa: ANN201
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
    return redirect(url_for("events.staff.detail", event_id=event_id))


@staff_bp.post("/<int:event_id>/registrations/<int:registration_id>/remove")
@login_required
def remove(event_id: int, registration_id: int):  # noqa: ANN201
    """Remove a registration (the person cancelled)."""
    _event_or_404(event_id)
    if not events.unregister(get_db(), registration_id):
        abort(404)
    audit.record(
        get_db(), clock().now(), actor(), "event.unregister", f"registration:{registration_id}"
    )
    return redirect(url_for("events.staff.detail", event_id=event_id))


@staff_bp.get("/introductions")
@login_required
def introductions_page() -> str:
    """Suggested introductions among the members in the house now."""
    return render_template(
        "staff/introductions.html",
        suggestions=introductions.suggestions(get_db()),
        dismissed=request.args.get("dismissed") == "1",
    )


@staff_bp.post("/introductions/dismiss")
@login_required
def dismiss_introduction():  # noqa: ANN201
    """Dismiss one suggestion (the pair will not be suggested again)."""
    helper = request.form.get("helper", type=int)
    seeker = request.form.get("seeker", type=int)
    if helper is None or seeker is None:
        abort(400)
    try:
        introductions.dismiss(get_db(), helper, seeker, clock().now(), actor())
    except InvalidInput:
        abort(400)
    return redirect(url_for("events.staff.introductions_page", dismissed=1))


bp.register_blueprint(staff_bp)
