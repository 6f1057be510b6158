"""Small factories that keep tests short (in the manner of CTFd's gen_user, gen_visit)."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from kiosk.members import NewMember, add_member


def gen_member(
    db: sqlite_utils.Database, now: datetime, name: str = "Anna Virtanen", **fields: object
) -> tuple[int, str]:
    """Add a member; return (member id, card token)."""
    return add_member(db, NewMember(name=name, **fields), now)


def visit_rows(db: sqlite_utils.Database) -> list[dict]:
    """Every visit, oldest first."""
    return list(db.query("SELECT * FROM visits ORDER BY id"))
