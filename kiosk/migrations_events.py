"""The schema step that events, the board and introductions propose (issue 7).

The lead registers it in :mod:`kiosk.migrations` after ``m002_event_indexes``
(``migrations()(m003_event_extras)``, or by moving the function there under
``@migrations()``). Until then :mod:`kiosk.introductions` keeps dismissals in the audit log,
and reads them from there.
"""

from __future__ import annotations

import sqlite_utils


def m003_event_extras(db: sqlite_utils.Database) -> None:
    """Dismissed introduction suggestions: the host said "not these two" for a pair."""
    for statement in (
        """
        CREATE TABLE introduction_dismissals (
            id INTEGER PRIMARY KEY,
            helper_member_id INTEGER NOT NULL REFERENCES members(id),
            seeker_member_id INTEGER NOT NULL REFERENCES members(id),
            dismissed_at TEXT NOT NULL,
            dismissed_by TEXT NOT NULL
        )
        """,
        """
        CREATE UNIQUE INDEX introduction_dismissals_pair
            ON introduction_dismissals(helper_member_id, seeker_member_id)
        """,
    ):
        db.execute(statement)
