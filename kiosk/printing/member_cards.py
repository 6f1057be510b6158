"""A member's QR card: the designed card (printer.cards) for one member, as PNG or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.timeutil import from_db
from printer.cards import MemberCard, card_png, cards_pdf


def member_card(member: dict[str, Any], token: str) -> MemberCard:
    """Return the card content for a member row and their active token."""
    since = from_db(member["created_at"])
    return MemberCard(
        name=member["name"],
        token=token,
        company=member["company"] or "",
        member_since=f"{since.month}/{since.year}",
    )


def write_member_card(member: dict[str, Any], token: str, out: Path) -> None:
    """Write the member's card to ``out``: a PDF sheet for ``.pdf``, otherwise a PNG."""
    card = member_card(member, token)
    if out.suffix.lower() == ".pdf":
        cards_pdf([card], out)
    else:
        card_png(card, out)
