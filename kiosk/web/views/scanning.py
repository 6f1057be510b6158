"""The shared step after any scan: run the domain rule, then tell the door screen."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, url_for

from kiosk import events
from kiosk.greetings import choose_greeting
from kiosk.printing import badges
from kiosk.timeutil import from_db
from kiosk.visits import ScanOutcome, ScanResult, process_scan
from kiosk.web.db import get_db
from kiosk.web.screen_tokens import make_screen_token
from kiosk.web.views.context import broker, clock, scan_rules
from kiosk.web.views.streams import door_address, door_channel

PERSONAL_RESULTS = {ScanResult.CHECKED_IN, ScanResult.CHECKED_OUT, ScanResult.REPEAT}


def screen_url(outcome: ScanOutcome, *, weak: bool = False) -> str:
    """Return the door screen that answers ``outcome``.

    ``weak`` marks a screen reached without a secret (the forgotten-card path): it confirms
    the check-in or check-out and offers nothing more until the member's PIN is given.
    """
    if outcome.result not in PERSONAL_RESULTS or outcome.visit_id is None:
        return url_for("door.refused", reason=outcome.result.value)
    at = from_db(outcome.at) if outcome.at else clock().now()
    data = {
        "v": outcome.visit_id,
        "r": outcome.result.value,
        "g": choose_greeting(
            at,
            current_app.config["TZ"],
            first_visit=outcome.first_visit,
            long_break=outcome.long_break,
        ).value,
        "l": outcome.language or current_app.config["DEFAULT_LANGUAGE"],
        "d": door_address(),  # the screen opens only at the door where the person scanned
    }
    if weak:
        data["w"] = 1
    return url_for("door.person", token=make_screen_token(current_app.secret_key, data))


def _apply_badge_policy(outcome: ScanOutcome) -> None:
    # The check-in is already saved; a badge that cannot be queued must not undo it.
    try:
        badges.after_member_check_in(
            get_db(), outcome.member_id, outcome.visit_id, clock().now(), current_app.config
        )
    except Exception:  # noqa: BLE001
        current_app.logger.exception("could not queue the badge for visit %s", outcome.visit_id)


def _record_event_arrival(outcome: ScanOutcome) -> None:
    # Attendance of an event running now (kiosk.events); like the badge, never undoes a check-in.
    try:
        events.record_arrival(
            get_db(),
            outcome.member_id,
            outcome.guest_id,
            outcome.visit_id,
            clock().now(),
            current_app.config["TZ"],
        )
    except Exception:  # noqa: BLE001
        current_app.logger.exception(
            "could not record event attendance, visit %s", outcome.visit_id
        )


def handle_scan(
    code: str,
    *,
    device: str,
    idempotency_key: str | None = None,
    seen_at: datetime | None = None,
    weak: bool = False,
) -> tuple[ScanOutcome, str]:
    """Process a scan and push the result to the door screens; return it and its screen."""
    outcome = process_scan(
        get_db(),
        code,
        clock().now(),
        scan_rules(),
        device=device,
        idempotency_key=idempotency_key,
        seen_at=seen_at,
    )
    url = screen_url(outcome, weak=weak)
    if outcome.replayed:  # a retried delivery: the door and the host already know
        return outcome, url
    if outcome.result == ScanResult.CHECKED_IN and outcome.member_id is not None:
        _apply_badge_policy(outcome)
        _record_event_arrival(outcome)
    # The door stream carries only where to go next, never a name: the screen it opens
    # shows the first name, and only on the door the person is standing at.
    broker().publish(door_channel(), "scan", {"result": outcome.result.value, "screen": url})
    if outcome.result in {ScanResult.CHECKED_IN, ScanResult.CHECKED_OUT}:
        broker().publish(
            "staff", "presence", {"result": outcome.result.value, "visit_id": outcome.visit_id}
        )
    return outcome, url
