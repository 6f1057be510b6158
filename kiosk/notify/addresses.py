"""Destinations: email addresses (checked when saved) and Teams Workflows URLs."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from kiosk.errors import InvalidInput


def clean_email(value: str) -> str:
    """Return the address in its normal form, or raise InvalidInput with a clear message.

    Only the syntax is checked (email-validator, no DNS look-up): the kiosk works offline.
    """
    text = (value or "").strip()
    if not text:
        raise InvalidInput("an email address is needed", "email")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"{text!r} is not a valid email address: {exc}", "email") from None
    return result.normalized


def is_teams_url(value: str) -> bool:
    """Tell whether ``value`` is an http(s) URL (a Power Automate Workflows trigger)."""
    parts = urlsplit(value.strip())
    return parts.scheme in {"https", "http"} and bool(parts.hostname)


def parse_destinations(values: Iterable[str]) -> list[tuple[str, str]]:
    """``KIOSK_NOTIFY_AREA`` as ``(channel, destination)`` pairs; raise InvalidInput on junk."""
    destinations = []
    for raw in values:
        value = raw.strip()
        if not value:
            continue
        if is_teams_url(value):
            destinations.append(("teams", value))
        else:
            destinations.append(("email", clean_email(value)))
    return destinations
