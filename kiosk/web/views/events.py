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

from kiosk import events, here_today
from kiosk.errors import InvalidInput, NotFound
from kiosk.timeutil import from_db
from kiosk.visits import ScanResult, open_visit_by_id
from kiosk.web.db import get_db
from kiosk.web.i18n import clock_text
from kiosk.web.screen_tokens import ScreenExpired, read_screen_token
from kiosk.web.views.context import app_settings, broker, clock
from kiosk.web.views.door import TOPIC_LABELS, _screen
from kiosk.web.views.streams import is_door_device

bp = Blueprint("events", __name__)

KIND_LABELS = {
    "valmennus": _l("Coaching"),
    "työpaja": _l("Workshop"),
    "virkistys": _l("Recreation"),
    "vertaisryhmä": _l("Peer group"),
    "muu": _l("Other"),
}
PRESENT_RESULTS = {ScanResult.CHECKED_IN.value, ScanResult.REPEAT.value}


def _tz():
    return app_settings().tz


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
    visit = open_visit_by_id(db, data.visit_id)
    if visit is None:
        return None
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
    if data.without_secret:  # reached by email or phone: nothing beyond the check-in
        return None
    if extras["is_member"]:
        shown, topics = here_today.visit_board_state(db, visit["id"])
        choices = here_today.topic_choices(db, visit["id"], app_settings().help_topics)
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


def _back_to_person(token: str, **args: Any):
    # Back on the greeting, "Milloin lähdit viimeksi?" has had its one chance already.
    args.setdefault("asked", 1)
    return redirect(url_for("door.person", token=token, **args) + "#events-extras")


def _present_visit(token: str) -> dict[str, Any]:
    # Joining an event or showing on the board needs the card (or the PIN), not an email.
    data = _screen(token, full=True)
    person = data.person
    if data.result not in PRESENT_RESULTS or person["checked_out_at"] is not None:
        abort(400)
    return person


@bp.post("/hello/<token>/join/<int:event_id>")
def join(token: str, event_id: int):
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
def board_opt_in(token: str):
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
            db, person["id"], request.form.getlist("topic"), app_settings().help_topics
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
