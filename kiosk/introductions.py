"""Help offered and needed: suggested introductions among the members in the house now.

Members keep two tag lists, "can help with" (``members.can_help_with``) and "looking for"
(``members.looking_for``), comma- or semicolon-separated. When A can help with something B is
looking for and both are checked in, the host sees "A could help B with …" on the staff page,
and may introduce them, or dismiss the suggestion. Tags match ignoring case and spacing.

A dismissal is for the pair (A helping B) and lasts: the host knows why (they already know each
other, or it would not fit). It is stored in the ``introduction_dismissals`` table and audited.

These suggestions are for staff only; nothing of this appears on the door.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlite_utils

from kiosk import audit
from kiosk.errors import InvalidInput
from kiosk.here_today import split_tags
from kiosk.timeutil import to_db
from kiosk.transactions import write_transaction

AUDIT_ACTION = "introduction.dismiss"
TABLE = "introduction_dismissals"


@dataclass
class Suggestion:
    """``helper`` could help ``seeker`` with ``topics``; each person is a dict with
    ``member_id``, ``name``, ``first_name``, ``company`` and ``visit_id``."""

    helper: dict[str, Any]
    seeker: dict[str, Any]
    topics: list[str] = field(default_factory=list)


def _key(tag: str) -> str:
    return " ".join(tag.split()).casefold()


def _present_members(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(
        db.query(
            """
            SELECT m.id AS member_id, m.name, m.first_name, m.company, m.can_help_with,
                   m.looking_for, v.id AS visit_id
            FROM visits v JOIN members m ON m.id = v.member_id
            WHERE v.checked_out_at IS NULL AND m.forgotten_at IS NULL AND m.active = 1
            ORDER BY v.checked_in_at, v.id
            """
        )
    )


def suggestions(db: sqlite_utils.Database) -> list[Suggestion]:
    """Who could help whom among the members present now, leaving out dismissed pairs."""
    people = _present_members(db)
    dismissed = dismissed_pairs(db)
    found: list[Suggestion] = []
    for helper in people:
        offers = {_key(tag): tag for tag in split_tags(helper["can_help_with"])}
        if not offers:
            continue
        for seeker in people:
            if seeker["member_id"] == helper["member_id"]:
                continue
            if (helper["member_id"], seeker["member_id"]) in dismissed:
                continue
            wanted = [tag for tag in split_tags(seeker["looking_for"]) if _key(tag) in offers]
            if wanted:
                found.append(Suggestion(_public(helper), _public(seeker), wanted))
    return found


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ("member_id", "name", "first_name", "company", "visit_id")}


def dismissed_pairs(db: sqlite_utils.Database) -> set[tuple[int, int]]:
    """The (helper, seeker) member id pairs the host dismissed."""
    return {
        (row["helper_member_id"], row["seeker_member_id"])
        for row in db.query(
            "SELECT helper_member_id, seeker_member_id FROM introduction_dismissals"
        )
    }


def dismiss(
    db: sqlite_utils.Database, helper_id: int, seeker_id: int, now: datetime, actor: str
) -> bool:
    """Dismiss the suggestion "helper could help seeker"; False if it was dismissed already."""
    if helper_id == seeker_id:
        raise InvalidInput("a person is not introduced to themselves", "member")
    with write_transaction(db):
        known = {
            row["id"]
            for row in db.query("SELECT id FROM members WHERE id IN (?, ?)", [helper_id, seeker_id])
        }
        if known != {helper_id, seeker_id}:
            raise InvalidInput("no such member", "member")
        if (helper_id, seeker_id) in dismissed_pairs(db):
            return False
        db[TABLE].insert(
            {
                "helper_member_id": helper_id,
                "seeker_member_id": seeker_id,
                "dismissed_at": to_db(now),
                "dismissed_by": actor,
            }
        )
        audit.record(
            db,
            now,
            actor,
            AUDIT_ACTION,
            f"members:{helper_id}>{seeker_id}",
            helper=helper_id,
            seeker=seeker_id,
        )
    return True
