"""Erasing a person ("right to be forgotten") while keeping the anonymous counts."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from kiosk import audit
from kiosk.members import get_member
from kiosk.timeutil import to_db
from kiosk.transactions import write_transaction


def forget_member(
    db: sqlite_utils.Database, member_id: int, now: datetime, actor: str
) -> dict[str, int]:
    """Erase a member's personal data everywhere; return how many rows were touched.

    The member row stays as an empty tombstone (so event counts still add up), their cards
    are revoked, and their visits are unlinked from them: the visits, moods and alerts
    remain only as anonymous counts.
    """
    get_member(db, member_id)
    stamp = to_db(now)
    with write_transaction(db):
        db["members"].update(
            member_id,
            {
                "name": "",
                "first_name": "",
                "company": None,
                "business_id": None,
                "email": None,
                "phone": None,
                "interests": None,
                "can_help_with": None,
                "looking_for": None,
                "approach_ok": 0,
                "research_consent": 0,
                "active": 0,
                "forgotten_at": stamp,
                "updated_at": stamp,
            },
        )
        cards = db.execute(
            "UPDATE cards SET revoked_at = COALESCE(revoked_at, ?) WHERE member_id = ?",
            [stamp, member_id],
        ).rowcount
        visits = db.execute(
            "UPDATE visits SET member_id = NULL, anonymised_at = ?, board_topics = NULL, "
            "board_opt_in = 0 WHERE member_id = ?",
            [stamp, member_id],
        ).rowcount
        audit.record(db, now, actor, "member.forget", f"member:{member_id}", visits=visits)
    return {"cards": cards, "visits": visits}
