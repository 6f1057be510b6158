"""The shared step after any scan: the domain checks in and follows up; this tells the screens."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, url_for

from kiosk.check_in import check_in_by_code
from kiosk.greetings import choose_greeting
from kiosk.timeutil import from_db
from kiosk.visits import ScanOutcome, ScanResult
from kiosk.web.db import get_db
from kiosk.web.screen_tokens import DoorScreen, make_screen_token
from kiosk.web.views.context import app_settings, broker, clock, scan_rules
from kiosk.web.views.streams import door_address, door_channel

PERSONAL_RESULTS = {ScanResult.CHECKED_IN, ScanResult.CHECKED_OUT, ScanResult.REPEAT}
# A scan delivered this long after it was seen (it waited in a scanner or a tablet while the
# server was away) still counts, but its person has most likely left the door: their
# greeting is not opened there, where it would show their name to whoever stands there now.
LATE_SCAN = timedelta(seconds=30)


def is_late(seen_at: datetime | None) -> bool:
    """Whether a scan arrives too long after it was seen to greet its person at the door."""
    return seen_at is not None and clock().now() - seen_at > LATE_SCAN


def screen_url(outcome: ScanOutcome, *, weak: bool = False) -> str:
    """Return the door screen that answers ``outcome``.

    ``weak`` marks a screen reached without a secret (the forgotten-card path): it confirms
    the check-in or check-out and offers nothing more until the member's PIN is given.
    """
    if outcome.result not in PERSONAL_RESULTS or outcome.visit_id is None:
        return url_for("door.refused", reason=outcome.result.value)
    at = from_db(outcome.at) if outcome.at else clock().now()
    screen = DoorScreen(
        visit_id=outcome.visit_id,
        result=outcome.result.value,
        greeting=choose_greeting(
            at,
            app_settings().tz,
            first_visit=outcome.first_visit,
            long_break=outcome.long_break,
        ).value,
        language=outcome.language or app_settings().default_language,
        door=door_address(),  # the screen opens only at the door where the person scanned
        closed_at_closing=outcome.closed_at_closing,
        ask_about_visit=outcome.ask_left_visit,
        without_secret=weak,
    )
    return url_for("door.person", token=make_screen_token(current_app.secret_key, screen))


def handle_scan(
    code: str,
    *,
    device: str,
    idempotency_key: str | None = None,
    seen_at: datetime | None = None,
    weak: bool = False,
) -> tuple[ScanOutcome, str]:
    """Process a scan and push the result to the door screens; return it and its screen."""
    outcome = check_in_by_code(
        get_db(),
        code,
        clock().now(),
        app_settings(),
        scan_rules(),
        device=device,
        idempotency_key=idempotency_key,
        seen_at=seen_at,
    )
    url = screen_url(outcome, weak=weak)
    if outcome.replayed:  # a retried delivery: the door and the host already know
        return outcome, url
    late = is_late(seen_at)
    # The door stream carries only where to go next, never a name: the screen it opens
    # shows the first name, and only on the door the person is standing at.
    if not late:
        broker().publish(door_channel(), "scan", {"result": outcome.result.value, "screen": url})
    if outcome.result in {ScanResult.CHECKED_IN, ScanResult.CHECKED_OUT}:
        broker().publish(
            "staff", "presence", {"result": outcome.result.value, "visit_id": outcome.visit_id}
        )
    return outcome, url
