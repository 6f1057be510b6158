"""Demo data for a first run: a few members, clearly marked, and their QR cards as images."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.member_cards import write_member_card
from kiosk.members import NewMember, add_member, get_member

DEMO_MEMBERS = [
    NewMember(
        name="Anna Virtanen",
        company="Virtasen Puutarhapalvelu",
        business_id="1572860-0",
        email="anna@example.fi",
        phone="+358401234567",
        interests="puutarhat, somemarkkinointi",
        approach_ok=True,
        is_demo=True,
    ),
    NewMember(
        name="Mikko Korhonen",
        company="Korhosen Kone ja Hitsaus",
        email="mikko@example.fi",
        interests="hitsaus, kalustorahoitus",
        is_demo=True,
    ),
    NewMember(
        name="Elsa Lindqvist",
        company="Lindqvist Design",
        email="elsa@example.fi",
        language="sv",
        interests="grafisk design, varumärken",
        is_demo=True,
    ),
    NewMember(
        name="Sam Okafor",
        company="Okafor Digital",
        email="sam@example.fi",
        language="en",
        interests="web shops, English",
        approach_ok=True,
        is_demo=True,
    ),
]


def _slug(name: str) -> str:
    return "-".join(name.lower().split())


def seed_if_empty(
    db: sqlite_utils.Database, now: datetime, cards_dir: Path, settings: dict[str, Any]
) -> list[int]:
    """Add the demo members when there are no members at all; return their ids.

    Their cards go to ``cards_dir`` as PNG files, and the tokens to ``tokens.txt`` there,
    which the simulated camera reads.
    """
    if db["members"].count > 0:
        return []
    ids: list[int] = []
    tokens: list[str] = []
    for member in DEMO_MEMBERS:
        member.consent_version = settings["CONSENT_VERSION"]
        member_id, token = add_member(db, member, now)
        ids.append(member_id)
        tokens.append(token)
        cards_dir.mkdir(parents=True, exist_ok=True)
        write_member_card(
            get_member(db, member_id),
            token,
            cards_dir / f"{member_id:03d}-{_slug(member.name)}.png",
        )
    (cards_dir / "tokens.txt").write_text("\n".join(tokens) + "\n", encoding="ascii")
    return ids
