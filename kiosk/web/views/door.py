"""The door screens: welcome, the per-person greeting and mood, guests, forgotten cards.

Nothing here lists people. A person's screen is reached only through a signed, short-lived
token made right after their own scan, and shows their first name only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
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
from kiosk.check_in import check_in_guest
from kiosk.errors import FormInvalid, InvalidInput, NotFound
from kiosk.guests import GuestForm
from kiosk.host_alerts import answer_mood, ask_for_a_host
from kiosk.member_pins import PIN_PATTERN, check_pin, has_pin, set_pin
from kiosk.members import find_by_contact
from kiosk.moods import LOW_MOODS
from kiosk.notify.staff_choices import find_guest_host, guest_hosts
from kiosk.notify.worker import wake as wake_notifier
from kiosk.printing import badges
from kiosk.self_reported import correct_checkout, correctable_visit, leaving_choices
from kiosk.timeutil import from_db
from kiosk.visits import ScanOutcome, ScanResult, visit_person
from kiosk.web.db import get_db
from kiosk.web.i18n import host_title
from kiosk.web.ratelimit import FailedScanLimiter
from kiosk.web.safe_paths import local_path
from kiosk.web.screen_tokens import (
    DoorScreen,
    ScreenExpired,
    make_screen_token,
    read_screen_token,
)
from kiosk.web.views.api import failed_scan_wait, record_failed_scan
from kiosk.web.views.context import app_settings, broker, clock, notify_config
from kiosk.web.views.door_camera import camera_mode
from kiosk.web.views.profile_fields import PROFILE_FIELDS, PROFILE_INTRO, profile_choices
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
# When the accessibility statement was last reviewed against the service.
STATEMENT_DATE = date(2026, 11, 30)


GUEST_LIMITER_KEY = "kiosk.guest_limiter"
GUEST_BUSY = _l(
    "Many guests have just signed in at this screen. Please wait a moment and try again, "
    "or ask %(host)s for help."
)


def guest_limiter() -> FailedScanLimiter:
    """Guest sign-ins per door: a few at once, then one every so often."""
    limiter = current_app.extensions.get(GUEST_LIMITER_KEY)
    if limiter is None:
        limiter = current_app.extensions.setdefault(
            GUEST_LIMITER_KEY,
            FailedScanLimiter(
                burst=app_settings().guest_signin_burst,
                refill_seconds=app_settings().guest_signin_refill_seconds,
            ),
        )
    return limiter


PIN_LIMITER_KEY = "kiosk.pin_limiter"


def pin_limiter() -> FailedScanLimiter:
    """Wrong PINs per member: 5 in a row, then one every 3 minutes, from any door."""
    limiter = current_app.extensions.get(PIN_LIMITER_KEY)
    if limiter is None:
        limiter = current_app.extensions.setdefault(
            PIN_LIMITER_KEY, FailedScanLimiter(burst=5, refill_seconds=180.0)
        )
    return limiter


def topic_choices() -> list[tuple[str, str]]:
    """The configured help topics with their (translated) labels."""
    return [(key, str(TOPIC_LABELS.get(key, key))) for key in app_settings().help_topics]


# The door is the one place that may use a camera: a tablet reads cards with its own.
# Every other page keeps the site-wide policy that turns the camera off.
DOOR_PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=()"


@bp.after_request
def allow_camera(response: Response) -> Response:
    """Let door pages ask for the camera (staff pages and the API never can)."""
    response.headers["Permissions-Policy"] = DOOR_PERMISSIONS_POLICY
    return response


@bp.app_context_processor
def door_context() -> dict[str, Any]:
    """Values every door template uses."""
    return {
        "idle_seconds": app_settings().idle_seconds,
        "languages": app_settings().languages,
        "door_device": is_door_device(),
    }


def _screen(token: str, *, full: bool = False, adopt_language: bool = True) -> DoorScreen:
    """The person's screen for ``token``, with ``person``; 404 when it is not theirs here.

    ``full`` asks for a screen reached with a secret (the card, or the PIN after the
    forgotten-card path): answering the mood, alerting the host and the like need one.
    ``adopt_language`` switches the screen to the person's language (not for a brief note
    shown while someone else fills in a form).
    """
    try:
        screen = read_screen_token(current_app.secret_key, token)
    except ScreenExpired:
        abort(404)
    if screen.door != door_address():  # another door's visitor: not shown here
        abort(404)
    if full and screen.without_secret:
        abort(403)
    # The person's own language for their screens, unless they switched on this screen.
    if (
        adopt_language
        and screen.language in app_settings().languages
        and not session.get("lang_chosen")
    ):
        session["lang"] = screen.language
    try:
        return screen.replace(person=visit_person(get_db(), screen.visit_id))
    except NotFound:
        abort(404)


@bp.get("/")
def welcome() -> str:
    """The resting screen: how to scan, guest sign-in, forgotten card."""
    if request.args.get("reset"):
        # Back from a person's screens or idle: the next person starts in the default language.
        session.pop("lang_chosen", None)
        session.pop("lang", None)
    return render_template(
        "door/welcome.html",
        preview_url=app_settings().preview_url,
        camera=camera_mode(),
        scan_window=app_settings().scan_window_seconds,
    )


def _door_only() -> None:
    # Checking someone in or out, and finding a member by contact, happen at the door only:
    # from elsewhere on the network they would be a way to probe who is a member.
    if not is_door_device():
        abort(403)


def _limit_key() -> str:
    return f"door\x00{request.remote_addr or ''}"


def _limited() -> bool:
    return failed_scan_wait(_limit_key()) > 0


@bp.post("/scan")
def scan():
    """A keyboard-wedge scanner types the code and Enter into the welcome screen's field."""
    _door_only()
    code = request.form.get("code", "")[:600]
    if not code.strip():
        return redirect(url_for("door.welcome"))
    if _limited():
        return redirect(url_for("door.refused", reason="busy"))
    outcome, url = handle_scan(code, device="wedge")
    if outcome.result in {ScanResult.UNKNOWN, ScanResult.REVOKED} and not outcome.replayed:
        record_failed_scan(_limit_key())
    return redirect(url)


@bp.get("/hello/<token>")
def person(token: str) -> str:
    """The screen after a person's own scan: greeting and "Mitä kuuluu?", or goodbye."""
    screen = _screen(token)
    visit = screen.person
    result = screen.result
    if result == ScanResult.REPEAT and visit["checked_out_at"]:
        result = "closed_at_closing" if screen.closed_at_closing else "already_out"
    weak = screen.without_secret
    # Only after a card (not the forgotten-card path) may the person correct a past visit.
    if result == ScanResult.CHECKED_IN and not weak and not request.args.get("asked"):
        question = _left_question(token, screen)
        if question is not None:
            return question
    return render_template(
        "door/person.html",
        token=token,
        result=result,
        greeting=screen.greeting,
        first_name=visit["first_name"],
        kind=visit["kind"],
        badge_button=(
            visit["kind"] == "member"
            and result == ScanResult.CHECKED_IN
            and app_settings().member_badge_policy == "button"
        ),
        badge_queued=screen.badge_queued,
        closed_at=from_db(visit["checked_out_at"]) if visit["checked_out_at"] else None,
        weak=weak,
        pin_asked=weak and visit["kind"] == "member" and has_pin(get_db(), visit["member_id"]),
        pin_wrong=request.args.get("pin") == "wrong",
        can_set_pin=not weak and visit["kind"] == "member" and result == ScanResult.CHECKED_IN,
    )


def _left_question(token: str, screen: DoorScreen) -> str | None:
    """ "Milloin lähdit viimeksi?" when the last visit was closed at closing time, once."""
    visit = screen.person
    previous = (
        correctable_visit(get_db(), screen.ask_about_visit, visit["member_id"], visit["guest_id"])
        if screen.ask_about_visit
        else None
    )
    if previous is None:
        return None
    tz = app_settings().tz
    choices = leaving_choices(previous["checked_in_at"], previous["checked_out_at"], tz)
    if not choices:
        return None
    return render_template(
        "door/left_when.html",
        token=token,
        first_name=visit["first_name"],
        arrived=previous["checked_in_at"],
        closed=previous["checked_out_at"],
        choices=choices,
    )


@bp.post("/hello/<token>/left")
def left(token: str):
    """The answer to "Milloin lähdit viimeksi?": correct that visit, then greet as usual."""
    screen = _screen(token, full=True)
    choice = request.form.get("left_at", "")
    member_id = screen.person["member_id"]
    if choice and screen.ask_about_visit:
        if member_id is None:
            abort(400)
        try:
            correct_checkout(get_db(), screen.ask_about_visit, member_id, from_db(choice))
        except (InvalidInput, ValueError):
            abort(400)
    return redirect(url_for("door.person", token=token, asked=1))


@bp.get("/hello/<token>/brief")
def brief(token: str):
    """Who just scanned, first name only: for the small note a door shows while busy.

    When someone is filling in a form, a scan must not take their screen: the door shows
    "✓ Anna, checked in" instead, and offers Anna her greeting when the screen is free. The
    screen's language stays the one the form is being filled in.
    """
    screen = _screen(token, adopt_language=False)
    visit = screen.person
    result = screen.result
    if result == ScanResult.REPEAT and visit["checked_out_at"]:
        result = "already_out"
    return jsonify(first_name=visit["first_name"], result=result)


@bp.post("/hello/<token>/mood")
def mood(token: str):
    """Record the tapped mood, then offer the quiet follow-up."""
    screen = _screen(token, full=True)
    db = get_db()
    now = clock().now()
    try:
        mood_value = int(request.form.get("mood", "0"))
        alert_id = answer_mood(db, screen.visit_id, mood_value, now, notify_config()).alert_id
    except (InvalidInput, ValueError):
        abort(400)
    if alert_id is not None:
        wake_notifier()
        broker().publish("staff", "alert", {"alert_id": alert_id, "kind": "low_mood"})
    if mood_value in LOW_MOODS:  # a heavy day gets care, not a plain thanks
        return redirect(url_for("door.follow_up", token=token, heavy=1))
    return redirect(url_for("door.follow_up", token=token))


@bp.route("/hello/<token>/help", methods=["GET", "POST"])
def follow_up(token: str):
    """ "Would you like a chat, or help with something?" — alerts the host quietly."""
    screen = _screen(token, full=True)
    if request.method == "POST":
        db = get_db()
        now = clock().now()
        try:
            raised = ask_for_a_host(
                db,
                screen.visit_id,
                now,
                notify_config(),
                wants_chat=request.form.get("chat") == "1",
                topics=request.form.getlist("topic"),
                allowed_topics=app_settings().help_topics,
            )
        except InvalidInput:
            abort(400)
        alert_id, host_coming = raised.alert_id, raised.host_coming
        if alert_id is not None and not raised.repeated:
            wake_notifier()
            broker().publish("staff", "alert", {"alert_id": alert_id, "kind": "request"})
        return redirect(
            url_for(
                "door.thanks",
                token=token,
                asked=int(alert_id is not None),
                coming=int(host_coming),
            )
        )
    return render_template(
        "door/follow_up.html",
        token=token,
        first_name=screen.person["first_name"],
        topics=topic_choices(),
        heavy=request.args.get("heavy") == "1",
    )


@bp.get("/hello/<token>/thanks")
def thanks(token: str) -> str:
    """The last screen of a check-in: a warm word, then back to welcome.

    A visit is promised only when a host on duty was sent the request; otherwise the
    screen says it was passed on, which is true.
    """
    screen = _screen(token)
    return render_template(
        "door/thanks.html",
        first_name=screen.person["first_name"],
        asked=request.args.get("asked") == "1",
        host_coming=request.args.get("coming") == "1",
    )


@bp.post("/hello/<token>/badge")
def print_badge(token: str):
    """The "print my badge" button on a member's greeting."""
    screen = _screen(token, full=True)
    if screen.person["kind"] != "member" or screen.result != ScanResult.CHECKED_IN:
        abort(400)
    badges.queue_member_badge(get_db(), screen.visit_id, clock().now(), app_settings())
    # The question about the last visit has had its one chance.
    printed = screen.replace(badge_queued=True, ask_about_visit=None)
    return redirect(
        url_for("door.person", token=make_screen_token(current_app.secret_key, printed))
    )


@bp.get("/refused/<reason>")
def refused(reason: str) -> str:
    """A friendly refusal for an unknown or revoked card."""
    if reason not in {ScanResult.UNKNOWN, ScanResult.REVOKED, "not_found", "busy"}:
        abort(404)
    return render_template("door/refused.html", reason=reason)


@bp.route("/guest", methods=["GET", "POST"])
def guest():
    """The guest sign-in form; a badge prints and the guest is greeted."""
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        _door_only()  # a script elsewhere on the network must not invent visits
        wait = guest_limiter().retry_after(door_address())
        if wait > 0:
            # A burst of sign-ins at one door is a script, or a crowd: either way, slow down.
            busy = str(GUEST_BUSY) % {"host": host_title().from_}
            return _guest_page({"_form": busy}, form, 429)
        language = session.get("lang") or app_settings().default_language
        db = get_db()
        now = clock().now()
        # A name typed in wins over a tap on the list: it is what the guest did last.
        typed_host = form.get("host_name", "").strip()
        host = find_guest_host(db, typed_host or form.get("host_choice", ""))
        guest_form = GuestForm(
            name=form.get("name", ""),
            company=form.get("company", ""),
            purpose=form.get("purpose", ""),
            host_name=host["shown_name"] if host and not typed_host else typed_host,
            language=language,
            consent=form.get("consent") == "1",
            host_staff_id=host["id"] if host else None,
            **{key: form.get(key, "")[:20] for key in PROFILE_FIELDS},
        )
        try:
            signed_in = check_in_guest(
                db, guest_form, now, app_settings(), host=host, notify=notify_config()
            )
        except FormInvalid as exc:
            errors = {field: _field_message(field) for field in exc.errors}
        else:
            guest_limiter().record_failure(door_address())
            if not signed_in.already_in:
                wake_notifier()
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
    return _guest_page(errors, form, 400 if errors else 200)


def _guest_page(errors: dict[str, str], form: Any, status: int) -> tuple[str, int]:
    return (
        render_template(
            "door/guest.html",
            errors=errors,
            form=form,
            hosts=guest_hosts(get_db()),
            profile_choices=profile_choices(),
            profile_intro=PROFILE_INTRO,
        ),
        status,
    )


def _field_message(field: str | None) -> str:
    messages = {
        "name": _l("Please write your name."),
        "consent": _l("Please read and accept the privacy notice to continue."),
    }
    return str(messages.get(field or "", _l("Please check this field; it is too long.")))


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
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
            # A hit counts toward the limit as well: otherwise a list of addresses could be
            # tried at full speed, and each hit checks someone in.
            record_failed_scan(_limit_key())
            # An email or phone number is not a secret: it checks the person in or out and
            # no more (a weak screen); their PIN unlocks the rest.
            _outcome, url = handle_scan(token, device="forgotten-card", weak=True)
            return redirect(url)
        record_failed_scan(_limit_key())
        not_found = True
    return render_template("door/forgot.html", not_found=not_found), (404 if not_found else 200)


@bp.get("/privacy")
def privacy() -> str:
    """The privacy notice, in the chosen language."""
    return render_template(
        "door/privacy.html",
        version=app_settings().consent_version,
        retention_months=app_settings().retention_months,
        min_group_size=app_settings().min_group_size,
    )


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement (saavutettavuusseloste) the law asks of a public service."""
    return render_template(
        "accessibility.html",
        statement_date=STATEMENT_DATE,
        feedback=app_settings().accessibility_feedback,
    )


@bp.get("/language/<code>")
def language(code: str):
    """Switch this screen's language; it returns to the default at the next welcome."""
    if code not in app_settings().languages:
        abort(404)
    session["lang"] = code
    session["lang_chosen"] = True
    return redirect(local_path(request.args.get("next", "/")))


@bp.post("/hello/<token>/pin")
def unlock_with_pin(token: str):
    """After the forgotten-card path: the member's PIN opens the rest of their screens."""
    _door_only()
    screen = _screen(token)
    person = screen.person
    if not screen.without_secret or person["kind"] != "member":
        return redirect(url_for("door.person", token=token))
    member_key = f"member:{person['member_id']}"
    if _limited() or pin_limiter().retry_after(member_key) > 0:
        return redirect(url_for("door.refused", reason="busy"))
    if not check_pin(get_db(), person["member_id"], request.form.get("pin", "")[:16]):
        # Wrong PINs count at this door and for this member, wherever they are tried.
        record_failed_scan(_limit_key())
        pin_limiter().record_failure(member_key)
        return redirect(url_for("door.person", token=token, pin="wrong"))
    unlocked = screen.replace(without_secret=False)
    return redirect(
        url_for("door.person", token=make_screen_token(current_app.secret_key, unlocked))
    )


@bp.route("/hello/<token>/pin/new", methods=["GET", "POST"])
def choose_pin(token: str):
    """After a card scan: choose (or change) the PIN for days without the card."""
    _door_only()
    screen = _screen(token, full=True)
    person = screen.person
    if person["kind"] != "member" or person["checked_out_at"] is not None:
        abort(400)
    error = None
    if request.method == "POST":
        pin = request.form.get("pin", "")[:16].strip()
        if not PIN_PATTERN.match(pin):
            error = _l("A PIN is 4 to 6 digits.")
        elif pin != request.form.get("pin_again", "")[:16].strip():
            error = _l("The two PINs are not the same. Please type them again.")
        else:
            set_pin(get_db(), person["member_id"], pin)
            return redirect(url_for("door.person", token=token, pin="set"))
    return render_template(
        "door/pin.html", token=token, first_name=person["first_name"], error=error
    ), (400 if error else 200)
