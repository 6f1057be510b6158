"""A member's QR card: the designed card (printer.cards) for one member, as PNG or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.timeutil import from_db
from printer.cards import MemberCard, card_png, cards_pdf


def member_card(member: dict[str, Any], token: str, tz: ZoneInfo) -> MemberCard:
    """Return the card content for a member row and their active token.

    "Member since" is the month the member joined in local time (a member added just after
    midnight on the 1st joined that month, not the month before in UTC).
    """
    since = from_db(member["created_at"]).astimezone(tz)
    return MemberCard(
        name=member["name"],
        token=token,
        company=member["company"] or "",
        member_since=f"{since.month}/{since.year}",
    )


def write_member_card(member: dict[str, Any], token: str, out: Path, tz: ZoneInfo) -> None:
    """Write the member's card to ``out``: a PDF sheet for ``.pdf``, otherwise a PNG."""
    card = member_card(member, token, tz)
    if out.suffix.lower() == ".pdf":
        cards_pdf([card], out)
    else:
        card_png(card, out)
