"""Members (admins only): search, add, edit, consent, cards, erasure, quiet regulars."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l

from kiosk import audit
from kiosk.cards import active_member_token, issue_member_card, revoke_member_card
from kiosk.errors import InvalidInput, NotFound
from kiosk.member_pins import set_pin
from kiosk.members import (
    LANGUAGES,
    NewMember,
    add_member,
    get_member,
    member_activity,
    quiet_regulars,
    record_consent,
    search_members,
    set_active,
    update_member,
)
from kiosk.printing import queue as print_queue
from kiosk.printing.member_cards import member_card
from kiosk.printing.queue import preview_directory
from kiosk.privacy.erasure import forget_member
from kiosk.privacy.personal_data import export_json, export_member
from kiosk.profile import Profile, parse_profile
from kiosk.timeutil import from_db
from kiosk.web.db import get_db
from kiosk.web.views.context import app_settings, clock
from kiosk.web.views.profile_fields import PROFILE_FIELDS, PROFILE_INTRO, profile_choices
from kiosk.web.views.staff.auth import actor, admin_required
from printer.cards import MemberCard, card_png, cards_pdf

bp = Blueprint("members", __name__)

TEXT_FIELDS = (
    "name",
    "company",
    "business_id",
    "email",
    "phone",
    "interests",
    "can_help_with",
    "looking_for",
)
FIELD_MESSAGES = {
    "name": _l("Please write the member's name."),
    "email": _l("This does not look like an email address."),
    "business_id": _l("This is not a valid business ID (Y-tunnus), e.g. 1572860-0."),
    "language": _l("Please choose a language."),
    **{name: _l("Please choose one of the options.") for name in PROFILE_FIELDS},
}
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}


def _member_or_404(member_id: int) -> dict[str, Any]:
    try:
        member = get_member(get_db(), member_id)
    except NotFound:
        abort(404)
    if member["forgotten_at"]:
        abort(404)
    return member


def _form_member() -> NewMember:
    """The posted form; a profile answer outside its choices raises InvalidInput."""
    values = {key: request.form.get(key, "")[:500] for key in TEXT_FIELDS}
    member = NewMember(
        **values,
        language=request.form.get("language", "fi"),
        approach_ok=request.form.get("approach_ok") == "1",
        research_consent=request.form.get("research_consent") == "1",
    )
    member.profile = parse_profile(**{key: request.form.get(key) for key in PROFILE_FIELDS})
    return member


def _stored_profile(member: dict[str, Any]) -> Profile:
    new = member["company_new"]
    return Profile(
        size_class=member["size_class"],
        company_new=None if new is None else bool(new),
        gender=member["gender"],
        age_band=member["age_band"],
    )


def _local(text: str | None) -> datetime | None:
    return from_db(text).astimezone(app_settings().tz) if text else None


@bp.get("/members")
@admin_required
def index() -> str:
    """Search members; below, the regulars we have not seen for four weeks."""
    db = get_db()
    query = request.args.get("q", "")[:100].strip()
    found = search_members(db, query, limit=100)
    for row in found:
        row["consent_ok"] = row["consent_version"] == app_settings().consent_version
    quiet = quiet_regulars(db, clock().now())
    for row in quiet:
        row["last_local"] = _local(row["last_visit"])
    return render_template("staff/members.html", query=query, found=found, quiet=quiet)


def _render_form(member: dict[str, Any] | None, form: NewMember, error: InvalidInput | None):
    message = None
    if error is not None:
        message = FIELD_MESSAGES.get(error.field or "", _l("Please check the form."))
    return render_template(
        "staff/member_form.html",
        member=member,
        form=form,
        error_field=error.field if error else None,
        error_message=message,
        language_names=[(code, LANGUAGE_NAMES.get(code, code)) for code in LANGUAGES],
        profile_choices=profile_choices(),
        profile_intro=PROFILE_INTRO,
    ), (400 if error else 200)


@bp.route("/members/new", methods=["GET", "POST"])
@admin_required
def new():
    """Add a member; a card is issued at once."""
    if request.method == "GET":
        return _render_form(None, NewMember(name=""), None)
    db = get_db()
    try:
        form = _form_member()
    except InvalidInput as exc:
        return _render_form(None, NewMember(name=request.form.get("name", "")[:500]), exc)
    if request.form.get("consent") == "1":
        form.consent_version = app_settings().consent_version
    try:
        member_id, _token = add_member(db, form, clock().now())
    except InvalidInput as exc:
        return _render_form(None, form, exc)
    audit.record(db, clock().now(), actor(), "member.add", f"member:{member_id}")
    return redirect(url_for("staff.members.edit", member_id=member_id, saved=1))


@bp.route("/members/<int:member_id>", methods=["GET", "POST"])
@admin_required
def edit(member_id: int):
    """A member's details, consent and card."""
    member = _member_or_404(member_id)
    db = get_db()
    if request.method == "POST":
        try:
            form = _form_member()
        except InvalidInput as exc:
            return _render_form(_details(member), NewMember(name=member["name"]), exc)
        try:
            update_member(db, member_id, form, clock().now())
        except InvalidInput as exc:
            return _render_form(_details(member), form, exc)
        audit.record(db, clock().now(), actor(), "member.update", f"member:{member_id}")
        return redirect(url_for("staff.members.edit", member_id=member_id, saved=1))
    form = NewMember(
        **{key: member[key] or "" for key in TEXT_FIELDS},
        language=member["language"],
        approach_ok=bool(member["approach_ok"]),
        research_consent=bool(member["research_consent"]),
        profile=_stored_profile(member),
    )
    return _render_form(_details(member), form, None)


def _details(member: dict[str, Any]) -> dict[str, Any]:
    db = get_db()
    details = dict(member)
    details["consent_at_local"] = _local(member["consent_at"])
    details["consent_current"] = member["consent_version"] == app_settings().consent_version
    activity = member_activity(db, member["id"])
    details["card_issued_local"] = _local(activity.card_issued_at)
    details["last_visit_local"] = _local(activity.last_visit_at)
    details["visit_count"] = activity.visit_count
    return details


def _back(member_id: int, **flags: int):
    return redirect(url_for("staff.members.edit", member_id=member_id, **flags))


@bp.post("/members/<int:member_id>/pin")
@admin_required
def door_pin(member_id: int):
    """Set (or remove) the PIN the member chose for the forgotten-card path."""
    _member_or_404(member_id)
    db = get_db()
    pin = "" if request.form.get("remove") == "1" else request.form.get("pin", "")[:16]
    if not pin and request.form.get("remove") != "1":
        return _back_pin(member_id, "bad")
    try:
        set_pin(db, member_id, pin)
    except InvalidInput:
        return _back_pin(member_id, "bad")
    action = "member.pin_set" if pin else "member.pin_removed"
    audit.record(db, clock().now(), actor(), action, f"member:{member_id}")
    return _back_pin(member_id, "set" if pin else "removed")


def _back_pin(member_id: int, state: str):
    return redirect(url_for("staff.members.edit", member_id=member_id, pin=state))


@bp.post("/members/<int:member_id>/consent")
@admin_required
def consent(member_id: int):
    """Record that the member accepted the current privacy notice (on paper, in person)."""
    _member_or_404(member_id)
    db = get_db()
    version = app_settings().consent_version
    record_consent(db, member_id, version, clock().now())
    audit.record(db, clock().now(), actor(), "member.consent", f"member:{member_id}", v=version)
    return _back(member_id, saved=1)


@bp.post("/members/<int:member_id>/card/reissue")
@admin_required
def reissue_card(member_id: int):
    """Revoke the active card and issue a new one (a lost or stolen card)."""
    _member_or_404(member_id)
    db = get_db()
    issue_member_card(db, member_id, clock().now())
    audit.record(db, clock().now(), actor(), "card.reissue", f"member:{member_id}")
    return _back(member_id, card=1)


@bp.post("/members/<int:member_id>/card/revoke")
@admin_required
def revoke_card(member_id: int):
    """Revoke the active card without a replacement."""
    _member_or_404(member_id)
    db = get_db()
    count = revoke_member_card(db, member_id, clock().now())
    audit.record(db, clock().now(), actor(), "card.revoke", f"member:{member_id}", cards=count)
    return _back(member_id, card=1)


def _card(member: dict[str, Any]) -> MemberCard:
    try:
        token = active_member_token(get_db(), member["id"])
    except NotFound:
        abort(409)
    return member_card(member, token, app_settings().tz)


@bp.post("/members/<int:member_id>/card/print")
@admin_required
def print_card(member_id: int):
    """Queue the member's card on the thermal printer."""
    member = _member_or_404(member_id)
    db = get_db()
    job_id = print_queue.enqueue(db, "member_card", _card(member).to_payload(), clock().now())
    audit.record(db, clock().now(), actor(), "card.print", f"member:{member_id}", job=job_id)
    return _back(member_id, printed=1)


@bp.get("/members/<int:member_id>/card.<any(png, pdf):fmt>")
@admin_required
def card_file(member_id: int, fmt: str) -> Response:
    """The member's card as a PNG image or an A4 PDF sheet, to print on an office printer."""
    member = _member_or_404(member_id)
    card = _card(member)
    data = card_png(card) if fmt == "png" else cards_pdf([card])
    audit.record(get_db(), clock().now(), actor(), f"card.download_{fmt}", f"member:{member_id}")
    return Response(
        data,
        mimetype="image/png" if fmt == "png" else "application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="tankkaamo-card-{member_id}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/members/<int:member_id>/data.json")
@admin_required
def personal_data(member_id: int) -> Response:
    """Everything held about the member, as JSON, for a request under the GDPR (audited)."""
    _member_or_404(member_id)
    export = export_member(get_db(), member_id, clock().now(), actor())
    return Response(
        export_json(export),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="tankkaamo-member-{member_id}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/members/<int:member_id>/active")
@admin_required
def active(member_id: int):
    """Deactivate a member (their card stops working) or reactivate them."""
    _member_or_404(member_id)
    db = get_db()
    on = request.form.get("active") == "1"
    set_active(db, member_id, on, clock().now())
    action = "member.reactivate" if on else "member.deactivate"
    audit.record(db, clock().now(), actor(), action, f"member:{member_id}")
    return _back(member_id, saved=1)


@bp.post("/members/<int:member_id>/forget")
@admin_required
def forget(member_id: int):
    """Erase the member's personal data (confirmed by a ticked box); counts stay anonymous."""
    _member_or_404(member_id)
    if request.form.get("confirm") != "1":
        abort(400)
    forget_member(  # writes its own audit entry
        get_db(),
        member_id,
        clock().now(),
        actor(),
        preview_directory(app_settings()),
        tz=app_settings().tz,
    )
    return redirect(url_for("staff.members.index", forgotten=1))
