"""A check-in and what follows it, decided in one place however the person came in.

A person checks in by card (the camera scanner, a keyboard-wedge reader, or the forgotten-card
path, which all end in :func:`kiosk.visits.process_scan`), by the guest form, or by a host's
hand on the dashboard. Whichever way, :func:`after_check_in` then applies the same rules:

- the badge policy (a member's badge on the first visit of the day, when so configured; a
  guest's badge always);
- attendance of an event running now that the person registered for;
- for a guest, word to the staff member they came to see ("your guest has arrived").

Host alerts raised later at the door (a low mood, a request for a chat) are kept and passed on
in :mod:`kiosk.host_alerts`.

Each follow-up is its own small step: the check-in is already saved, and a badge that cannot
be queued or an attendance that cannot be marked is logged, never undoes it. The web layer only
publishes live updates and builds the screen's address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlite_utils

from kiosk import events
from kiosk.guests import GuestForm, GuestSignIn, sign_in_guest
from kiosk.notify import dispatch
from kiosk.notify.dispatch import NotifyConfig
from kiosk.printing import badges
from kiosk.settings import Settings
from kiosk.transactions import write_transaction
from kiosk.visits import ScanOutcome, ScanResult, ScanRules, manual_check_in, process_scan

log = logging.getLogger(__name__)


class Arrival(StrEnum):
    """How the person came in."""

    CARD = "card"  # camera, barcode reader or forgotten-card path
    GUEST_FORM = "guest_form"
    MANUAL = "manual"  # a host checked them in on the dashboard


@dataclass
class FollowUp:
    """What :func:`after_check_in` did: the badge queued and the event registrations marked."""

    badge_job_id: int | None = None
    attended_registrations: list[int] = field(default_factory=list)


def after_check_in(
    db: sqlite_utils.Database,
    visit_id: int,
    now: datetime,
    settings: Settings,
    *,
    arrival: Arrival,
    member_id: int | None = None,
    guest: GuestSignIn | None = None,
) -> FollowUp:
    """Apply the badge policy and event attendance to a check-in that is already saved."""
    follow_up = FollowUp()
    guest_id = guest.guest_id if guest is not None else None
    try:
        if arrival is Arrival.GUEST_FORM and guest is not None:
            follow_up.badge_job_id = badges.queue_guest_badge(db, guest, now, settings)
        elif arrival is Arrival.CARD and member_id is not None:
            follow_up.badge_job_id = badges.after_member_check_in(
                db, member_id, visit_id, now, settings
            )
    except Exception:  # a badge must never undo the check-in
        log.exception("could not queue the badge for visit %s", visit_id)
    try:
        follow_up.attended_registrations = events.record_arrival(
            db, member_id, guest_id, visit_id, now, settings.tz
        )
    except Exception:  # neither must event attendance
        log.exception("could not record event attendance, visit %s", visit_id)
    return follow_up


def check_in_by_code(
    db: sqlite_utils.Database,
    code: str,
    now: datetime,
    settings: Settings,
    rules: ScanRules,
    *,
    device: str,
    idempotency_key: str | None = None,
    seen_at: datetime | None = None,
) -> ScanOutcome:
    """Handle a presented card (any reader) and what follows a check-in; return the outcome.

    A retried delivery (same ``idempotency_key``) gets the first answer and does nothing more.
    """
    outcome = process_scan(
        db,
        code,
        now,
        rules,
        device=device,
        idempotency_key=idempotency_key,
        seen_at=seen_at,
    )
    # A guest card is good for the one visit its sign-in opened, so only members check in here.
    if (
        not outcome.replayed
        and outcome.result is ScanResult.CHECKED_IN
        and outcome.visit_id is not None
        and outcome.member_id is not None
    ):
        after_check_in(
            db,
            outcome.visit_id,
            now,
            settings,
            arrival=Arrival.CARD,
            member_id=outcome.member_id,
        )
    return outcome


def check_in_guest(
    db: sqlite_utils.Database,
    form: GuestForm,
    now: datetime,
    settings: Settings,
    *,
    host: dict[str, Any] | None = None,
    notify: NotifyConfig | None = None,
) -> GuestSignIn:
    """Sign a guest in from the door's form, then what follows a check-in.

    The staff member the guest named (``host``, when they chose one from the list) and the
    area are told in the same transaction as the sign-in; then the badge and any event they
    registered for. Raises FormInvalid with every wrong field.
    """
    notify = notify or NotifyConfig.from_settings(settings)
    with write_transaction(db):
        signed_in = sign_in_guest(db, form, now, settings.consent_version)
        if signed_in.already_in:  # the same guest, still in: no new visit, badge or message
            return signed_in
        dispatch.queue_safely(
            db,
            lambda: dispatch.guest_arrived(
                db, host, signed_in.first_name, signed_in.visit_id, now, notify
            ),
        )
    after_check_in(
        db, signed_in.visit_id, now, settings, arrival=Arrival.GUEST_FORM, guest=signed_in
    )
    return signed_in


def check_in_by_hand(
    db: sqlite_utils.Database, member_id: int, now: datetime, settings: Settings
) -> int:
    """A host checks a member in on the dashboard; return the visit id (the open one if any)."""
    visit_id = manual_check_in(db, member_id, now)
    after_check_in(db, visit_id, now, settings, arrival=Arrival.MANUAL, member_id=member_id)
    return visit_id
