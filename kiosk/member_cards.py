"""A member's QR card as an image file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.demo import write_card_image


def write_member_card(member: dict[str, Any], token: str, out: Path) -> None:
    """Write the member's card (QR of the token) to ``out``."""
    write_card_image(token, out)
