"""The door screens: welcome, the per-person greeting and mood, guests, forgotten cards.

Nothing here lists people. A person's screen is reached only through a signed, short-lived
token made right after their own scan, and shows their first name only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l

from kiosk.cards import active_member_token
from kiosk.errors import FormInvalid, InvalidInput, NotFound
from kiosk.guests import GuestForm, sign_in_guest
from kiosk.members import find_by_contact
from kiosk.moods import record_mood, request_host
from kiosk.printing import badges
from kiosk.visits import ScanOutcome, ScanResult, visit_person
from kiosk.web.db import get_db
from kiosk.web.safe_paths import local_path
from kiosk.web.screen_tokens import ScreenExpired, make_screen_token, read_screen_token
from kiosk.web.views.api import scan_limiter
from kiosk.web.views.context import broker, clock
from kiosk.web.views.scanning import handle_scan, screen_url
from kiosk.web.views.streams import door_address, is_door_device

bp = Blueprint("door", __name__)

TOPIC_LABELS = {
    "rahoitus": _l("Funding"),
    "markkinointi": _l("Marketing and sales"),
    "digi": _l("Digital tools"),
    "verotus": _l("Taxes and bookkeeping"),
    "jaksaminen": _l("Coping and wellbeing"),
    "verkostot": _l("Networks and partners"),
}
MAX_CONTACT_LENGTH = 120
# "A bit heavy" and "Really hard": the follow-up answers these with care, not a plain thanks.
HEAVY_MOODS = {4, 5}
# When the accessibility statement was last reviewed against the service.
STATEMENT_DATE = date(2026, 11, 30)


def topic_choices() -> list[tuple[str, str]]:
    """The configured help topics with their (translated) labels."""
    return [(key, str(TOPIC_LABELS.get(key, key))) for key in current_app.config["HELP_TOPICS"]]


@bp.app_context_processor
def door_context() -> dict[str, Any]:
    """Values every door template uses."""
    return {
        "idle_seconds": current_app.config["IDLE_SECONDS"],
        "languages": current_app.config["LANGUAGES"],
        "door_device": is_door_device(),
    }


def _screen(token: str, *, adopt_language: bool = True) -> dict[str, Any]:
    try:
        data = read_screen_token(current_app.secret_key, token)
    except ScreenExpired:
        abort(404)
    if data.get("d") != door_address():  # another door's visitor: not shown here
        abort(404)
    # The person's own language for their screens, unless they switched on this screen.
    if (
        adopt_language
        and data.get("l") in current_app.config["LANGUAGES"]
        and not session.get("lang_chosen")
    ):
        session["lang"] = data["l"]
    try:
        data["person"] = visit_person(get_db(), data["v"])
    except NotFound:
        abort(404)
    return data


@bp.get("/")
def welcome() -> str:
    """The resting screen: how to scan, guest sign-in, forgotten card."""
    if request.args.get("reset"):
        # Back from a person's screens or idle: the next person starts in the default language.
        session.pop("lang_chosen", None)
        session.pop("lang", None)
    return render_template(
        "door/welcome.html",
        preview_url=current_app.config["PREVIEW_URL"],
    )


def _door_only() -> None:
    # Checking someone in or out, and finding a member by contact, happen at the door only:
    # from elsewhere on the network they would be a way to probe who is a member.
    if not is_door_device():
        abort(403)


def _limit_key() -> str:
    return f"door\x00{request.remote_addr or ''}"


def _limited() -> bool:
    return scan_limiter().retry_after(_limit_key()) > 0


@bp.post("/scan")
def scan():  # noqa: ANN201
    """A keyboard-wedge scanner types the code and Enter into the welcome screen's field."""
    _door_only()
    code = request.form.get("code", "")[:600]
    if not code.strip():
        return redirect(url_for("door.welcome"))
    if _limited():
        return redirect(url_for("door.refused", reason="busy"))
    outcome, url = handle_scan(code, device="wedge")
    if outcome.result in {ScanResult.UNKNOWN, ScanResult.REVOKED} and not outcome.replayed:
        scan_limiter().record_failure(_limit_key())
    return redirect(url)


@bp.get("/hello/<token>")
def person(token: str) -> str:
    """The screen after a person's own scan: greeting and "Mitä kuuluu?", or goodbye."""
    data = _screen(token)
    visit = data["person"]
    result = data["r"]
    if result == ScanResult.REPEAT and visit["checked_out_at"]:
        result = "already_out"
    return render_template(
        "door/person.html",
        token=token,
        result=result,
        greeting=data["g"],
        first_name=visit["first_name"],
        kind=visit["kind"],
        badge_button=(
            visit["kind"] == "member"
            and result == ScanResult.CHECKED_IN
            and current_app.config["MEMBER_BADGE_POLICY"] == "button"
        ),
        badge_queued=data.get("b", False),
    )


@bp.get("/hello/<token>/brief")
def brief(token: str):  # noqa: ANN201
    """Who just scanned, first name only: for the small note a door shows while busy.

    When someone is filling in a form, a scan must not take their screen: the door shows
    "✓ Anna, checked in" instead, and offers Anna her greeting when the screen is free. The
    screen's language stays the one the form is being filled in.
    """
    data = _screen(token, adopt_language=False)
    visit = data["person"]
    result = data["r"]
    if result == ScanResult.REPEAT and visit["checked_out_at"]:
        result = "already_out"
    return jsonify(first_name=visit["first_name"], result=result)


@bp.post("/hello/<token>/mood")
def mood(token: str):  # noqa: ANN201
    """Record the tapped mood, then offer the quiet follow-up."""
    data = _screen(token)
    try:
        mood_value = int(request.form.get("mood", "0"))
        record_mood(get_db(), data["v"], mood_value, clock().now())
    except (InvalidInput, ValueError):
        abort(400)
    if mood_value in HEAVY_MOODS:
        return redirect(url_for("door.follow_up", token=token, heavy=1))
    return redirect(url_for("door.follow_up", token=token))


@bp.route("/hello/<token>/help", methods=["GET", "POST"])
def follow_up(token: str):  # noqa: ANN201
    """ "Would you like a chat, or help with something?" — alerts the host quietly."""
    data = _screen(token)
    if request.method == "POST":
        try:
            alert_id = request_host(
                get_db(),
                data["v"],
                clock().now(),
                wants_chat=request.form.get("chat") == "1",
                topics=request.form.getlist("topic"),
                allowed_topics=current_app.config["HELP_TOPICS"],
            )
        except InvalidInput:
            abort(400)
        if alert_id is not None:
            broker().publish("staff", "alert", {"alert_id": alert_id})
        return redirect(url_for("door.thanks", token=token, asked=int(alert_id is not None)))
    return render_template(
        "door/follow_up.html",
        token=token,
        first_name=data["person"]["first_name"],
        topics=topic_choices(),
        heavy=request.args.get("heavy") == "1",
    )


@bp.get("/hello/<token>/thanks")
def thanks(token: str) -> str:
    """The last screen of a check-in: a warm word, then back to welcome."""
    data = _screen(token)
    return render_template(
        "door/thanks.html",
        first_name=data["person"]["first_name"],
        asked=request.args.get("asked") == "1",
    )


@bp.post("/hello/<token>/badge")
def print_badge(token: str):  # noqa: ANN201
    """The "print my badge" button on a member's greeting."""
    data = _screen(token)
    if data["person"]["kind"] != "member" or data["r"] != ScanResult.CHECKED_IN:
        abort(400)
    badges.queue_member_badge(get_db(), data["v"], clock().now(), current_app.config)
    data = {k: v for k, v in data.items() if k != "person"}
    data["b"] = True
    return redirect(url_for("door.person", token=make_screen_token(current_app.secret_key, data)))


@bp.get("/refused/<reason>")
def refused(reason: str) -> str:
    """A friendly refusal for an unknown or revoked card."""
    if reason not in {ScanResult.UNKNOWN, ScanResult.REVOKED, "not_found", "busy"}:
        abort(404)
    return render_template("door/refused.html", reason=reason)


@bp.route("/guest", methods=["GET", "POST"])
def guest():  # noqa: ANN201
    """The guest sign-in form; a badge prints and the guest is greeted."""
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        _door_only()  # a script elsewhere on the network must not invent visits
        language = session.get("lang") or current_app.config["DEFAULT_LANGUAGE"]
        guest_form = GuestForm(
            name=form.get("name", ""),
            company=form.get("company", ""),
            purpose=form.get("purpose", ""),
            host_name=form.get("host_name", ""),
            language=language,
            consent=form.get("consent") == "1",
        )
        try:
            signed_in = sign_in_guest(
                get_db(), guest_form, clock().now(), current_app.config["CONSENT_VERSION"]
            )
        except FormInvalid as exc:
            errors = {field: _field_message(field) for field in exc.errors}
        else:
            if not signed_in.already_in:
                _queue_guest_badge(signed_in)
                broker().publish(
                    "staff", "presence", {"result": "checked_in", "visit_id": signed_in.visit_id}
                )
            outcome = ScanOutcome(
                ScanResult.REPEAT if signed_in.already_in else ScanResult.CHECKED_IN,
                visit_id=signed_in.visit_id,
                first_name=signed_in.first_name,
                guest_id=signed_in.guest_id,
                language=language,
                first_visit=True,
            )
            return redirect(screen_url(outcome))
    status = 400 if errors else 200
    return render_template("door/guest.html", errors=errors, form=form), status


def _queue_guest_badge(signed_in) -> None:  # noqa: ANN001
    # The guest is already checked in; a badge that cannot be queued must not undo that.
    try:
        badges.queue_guest_badge(get_db(), signed_in, clock().now(), current_app.config)
    except Exception:  # noqa: BLE001
        current_app.logger.exception("could not queue the badge of guest %s", signed_in.guest_id)


def _field_message(field: str | None) -> str:
    messages = {
        "name": _l("Please write your name."),
        "consent": _l("Please read and accept the privacy notice to continue."),
    }
    return str(messages.get(field or "", _l("Please check this field; it is too long.")))


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():  # noqa: ANN201
    """Forgotten card: type your own email or phone; we never show a list of members."""
    not_found = False
    if request.method == "POST":
        _door_only()
        if _limited():
            return redirect(url_for("door.refused", reason="busy"))
        contact = request.form.get("contact", "")[:MAX_CONTACT_LENGTH]
        member = find_by_contact(get_db(), contact)
        if member is not None:
            try:
                token = active_member_token(get_db(), member["id"])
            except NotFound:
                return redirect(url_for("door.refused", reason="revoked"))
            _outcome, url = handle_scan(token, device="forgotten-card")
            return redirect(url)
        scan_limiter().record_failure(_limit_key())
        not_found = True
    return render_template("door/forgot.html", not_found=not_found), (404 if not_found else 200)


@bp.get("/privacy")
def privacy() -> str:
    """The privacy notice, in the chosen language."""
    return render_template(
        "door/privacy.html",
        version=current_app.config["CONSENT_VERSION"],
        retention_months=current_app.config["RETENTION_MONTHS"],
        min_group_size=current_app.config["MIN_GROUP_SIZE"],
    )


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement (saavutettavuusseloste) the law asks of a public service."""
    return render_template(
        "accessibility.html",
        statement_date=STATEMENT_DATE,
        feedback=current_app.config["ACCESSIBILITY_FEEDBACK"],
    )


@bp.get("/language/<code>")
def language(code: str):  # noqa: ANN201
    """Switch this screen's language; it returns to the default at the next welcome."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    session["lang_chosen"] = True
    return redirect(local_path(request.args.get("next", "/")))
