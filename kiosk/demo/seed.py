"""Demo data for a first run: a few members, clearly marked, and their QR cards as images."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlite_utils

from kiosk.demo.history import seed_demo_visits
from kiosk.events import seed_demo_events
from kiosk.files import private_dir, private_file, tighten
from kiosk.members import NewMember, add_member, get_member
from kiosk.printing.member_cards import write_member_card
from kiosk.settings import Settings

DEMO_MEMBERS = [
    NewMember(
        name="Anna Virtanen",
        company="Virtasen Puutarhapalvelu",
        business_id="1572860-0",
        email="anna@example.fi",
        phone="+358401234567",
        interests="puutarhat, somemarkkinointi",
        can_help_with="somemarkkinointi, kuvaus",
        looking_for="rahoitus",
        approach_ok=True,
        is_demo=True,
    ),
    NewMember(
        name="Mikko Korhonen",
        company="Korhosen Kone ja Hitsaus",
        email="mikko@example.fi",
        interests="hitsaus, kalustorahoitus",
        can_help_with="rahoitus, hitsaus",
        looking_for="somemarkkinointi",
        is_demo=True,
    ),
    NewMember(
        name="Elsa Lindqvist",
        company="Lindqvist Design",
        email="elsa@example.fi",
        language="sv",
        interests="grafisk design, varumärken",
        can_help_with="graafinen suunnittelu",
        looking_for="verkkokauppa",
        is_demo=True,
    ),
    NewMember(
        name="Sam Okafor",
        company="Okafor Digital",
        email="sam@example.fi",
        language="en",
        interests="web shops, English",
        can_help_with="verkkokauppa, englanti",
        looking_for="graafinen suunnittelu",
        approach_ok=True,
        is_demo=True,
    ),
]


# More demo members without card images, so that the dashboard's charts have some life.
BACKGROUND_MEMBERS = [
    ("Eino Mäkinen", "Mäkisen Maalaus"),
    ("Helmi Nieminen", "Helmin Leipomo"),
    ("Juha Heikkinen", "Heikkinen Consulting"),
    ("Liisa Koskinen", "Koskisen Kukka"),
    ("Pekka Järvinen", "Järvisen Kuljetus"),
    ("Sanna Lehtonen", "Lehtonen Hyvinvointi"),
    ("Timo Salminen", "Salmisen Sähkö"),
    ("Kaisa Hämäläinen", "Kaisan Kirjanpito"),
    ("Ville Laine", "Laine Media"),
    ("Riikka Heinonen", "Riikan Rasia"),
    ("Jari Tuominen", "Tuomisen Puutyö"),
    ("Minna Rantanen", "Rantasen Käsityö"),
]
DEMO_HISTORY_WEEKS = 8


def _slug(name: str) -> str:
    return "-".join(name.lower().split())


def seed_if_empty(
    db: sqlite_utils.Database, now: datetime, cards_dir: Path, settings: Settings
) -> list[int]:
    """Add the demo members when there are no members at all; return their ids.

    The four named members' cards go to ``cards_dir`` as PNG files, and their tokens to
    ``tokens.txt`` there, which the simulated camera reads. A dozen more members and a few
    weeks of past visits give the dashboard's charts something to show, and two events (a
    workshop today) the door's event list.
    """
    if db["members"].count > 0:
        return []
    ids: list[int] = []
    tokens: list[str] = []
    for member in DEMO_MEMBERS:
        member.consent_version = settings.consent_version
        member_id, token = add_member(db, member, now)
        ids.append(member_id)
        tokens.append(token)
        private_dir(cards_dir)  # each card image is a working key: the kiosk user's only
        card_path = cards_dir / f"{member_id:03d}-{_slug(member.name)}.png"
        private_file(card_path)
        write_member_card(get_member(db, member_id), token, card_path, settings.tz)
        tighten(card_path)
    tokens_path = private_file(cards_dir / "tokens.txt")
    tokens_path.write_text("\n".join(tokens) + "\n", encoding="ascii")
    for name, company in BACKGROUND_MEMBERS:
        member_id, _token = add_member(
            db,
            NewMember(
                name=name,
                company=company,
                consent_version=settings.consent_version,
                is_demo=True,
            ),
            now,
        )
        ids.append(member_id)
    seed_demo_visits(db, now, settings.tz, weeks=DEMO_HISTORY_WEEKS)
    seed_demo_events(db, now, settings.tz)
    return ids
