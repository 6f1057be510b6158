"""Guest sign-in at the door: a short form, a guest visit and a card on the badge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from kiosk.cards import issue_guest_card
from kiosk.errors import FormInvalid, InvalidInput
from kiosk.members import LANGUAGES
from kiosk.names import clean_name, clean_text, first_name_of
from kiosk.profile import Profile, parse_profile
from kiosk.timeutil import to_db
from kiosk.transactions import write_transaction


@dataclass
class GuestForm:
    """What a guest types at the door."""

    name: str
    company: str = ""
    purpose: str = ""
    host_name: str = ""
    language: str = "fi"
    consent: bool = False
    host_staff_id: int | None = None  # the staff member chosen from the list, if any
    # Optional answers for the funder's indicators (kiosk.profile); empty means not given.
    size_class: str = ""
    company_new: str = ""
    gender: str = ""
    age_band: str = ""


@dataclass
class GuestSignIn:
    """The result of a guest sign-in."""

    guest_id: int
    visit_id: int
    card_token: str
    first_name: str
    name: str
    company: str
    host_name: str
    already_in: bool = False  # the same guest was still checked in: no new visit or badge


def sign_in_guest(
    db: sqlite_utils.Database, form: GuestForm, now: datetime, consent_version: str
) -> GuestSignIn:
    """Validate the form, record the guest and check them in; return what the badge needs.

    Every wrong field is reported at once (FormInvalid), and nothing is written.
    """
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    checks = {
        "name": lambda: clean_name(form.name),
        "company": lambda: clean_text(form.company, field="company"),
        "purpose": lambda: clean_text(form.purpose, field="purpose"),
        "host_name": lambda: clean_text(form.host_name, field="host_name"),
    }
    for field, check in checks.items():
        try:
            values[field] = check()
        except InvalidInput as exc:
            errors[field] = str(exc)
    profile = Profile()
    try:
        profile = parse_profile(form.size_class, form.company_new, form.gender, form.age_band)
    except InvalidInput as exc:
        errors[exc.field or "profile"] = str(exc)
    if form.language not in LANGUAGES:
        errors["language"] = "unknown language"
    if not form.consent:
        errors["consent"] = "the privacy notice must be accepted"
    if errors:
        raise FormInvalid(errors)
    name, company = values["name"], values["company"]
    purpose, host_name = values["purpose"], values["host_name"]
    stamp = to_db(now)
    with write_transaction(db):
        open_visit = _open_visit_of_same_guest(db, name, company)
        if open_visit is not None:
            return GuestSignIn(
                open_visit["guest_id"],
                open_visit["visit_id"],
                open_visit["token"] or "",
                first_name_of(name),
                name,
                company,
                host_name,
                already_in=True,
            )
        guest_id = (
            db["guests"]
            .insert(
                {
                    "name": name,
                    "first_name": first_name_of(name),
                    "company": company or None,
                    "purpose": purpose or None,
                    "host_name": host_name or None,
                    "host_staff_id": form.host_staff_id,
                    "language": form.language,
                    "consent_version": consent_version,
                    "consent_at": stamp,
                    "created_at": stamp,
                    **profile.as_row(),
                }
            )
            .last_pk
        )
        visit_id = (
            db["visits"]
            .insert(
                {
                    "guest_id": guest_id,
                    "checked_in_at": stamp,
                    "checkin_method": "guest",
                    "first_visit": 1,  # a guest signs in anew each time: always a first visit
                }
            )
            .last_pk
        )
        token = issue_guest_card(db, guest_id, now)
    return GuestSignIn(guest_id, visit_id, token, first_name_of(name), name, company, host_name)


def _open_visit_of_same_guest(
    db: sqlite_utils.Database, name: str, company: str
) -> dict[str, object] | None:
    # The same name and company still checked in: the form sent twice (a double tap, or
    # "Back" and send again). One guest holds one open visit; two people with one name and
    # one company at the same time are rare enough to share it.
    rows = db.execute(
        """
        SELECT v.id AS visit_id, g.id AS guest_id,
               (SELECT token FROM cards c WHERE c.guest_id = g.id AND c.revoked_at IS NULL
                ORDER BY c.id DESC LIMIT 1) AS token
        FROM visits v JOIN guests g ON g.id = v.guest_id
        WHERE v.checked_out_at IS NULL AND g.anonymised_at IS NULL
          AND lower(g.name) = lower(?) AND lower(coalesce(g.company, '')) = lower(?)
        ORDER BY v.id DESC LIMIT 1
        """,
        [name, company or ""],
    ).fetchall()
    if not rows:
        return None
    visit_id, guest_id, token = rows[0]
    return {"visit_id": visit_id, "guest_id": guest_id, "token": token}
