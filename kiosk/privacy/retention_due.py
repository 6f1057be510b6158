"""What the retention has left to do, found by reads alone.

Each kind of row retention changes has one predicate here, and each predicate matches an
index whose entries are only the rows retention has not reached yet (the partial indexes of
``m061_retention_indexes``). Rows leave those indexes as they are anonymised, so on a database
where nothing is due every check reads a few index entries, however many years it holds, and
the pass then takes no write lock at all. The batches (:mod:`kiosk.privacy.retention_batches`)
and the dry run's counts use the same predicates, so the three cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from kiosk.notify.queue import OLD_WITH_TEXT

# Visits checked in before the cut-off and not yet anonymised (visits_not_anonymised).
VISITS = "checked_in_at < :cutoff AND anonymised_at IS NULL"
NAMED = "(member_id IS NOT NULL OR guest_id IS NOT NULL)"
# Guests who signed in before the cut-off and have no visit since (guests_not_anonymised).
GUESTS = (
    "anonymised_at IS NULL AND created_at < :cutoff AND NOT EXISTS (SELECT 1 FROM visits AS v "
    "WHERE v.guest_id = guests.id AND v.checked_in_at >= :cutoff)"
)
# Scans received before the cut-off that still hold a card digest (scans_not_anonymised).
SCANS = "received_at < :cutoff AND code_digest != 'anonymised'"
# Finished print jobs that still hold a payload (print_jobs_with_payload; the unary plus
# keeps the planner off print_jobs_status, which holds every job ever printed).
PRINT_JOBS = (
    "created_at < :cutoff AND +status IN ('done', 'failed', 'cancelled') AND payload != '{}'"
)
NOTIFICATIONS = OLD_WITH_TEXT
# Per-month report keys of months wholly before the cut-off (the primary key).
KEYS = "month < :month"

# One cheap question per kind of row: is any of it due? Each reads at most one row.
CHECKS = {
    "visits": f"SELECT 1 FROM visits WHERE {VISITS} LIMIT 1",  # noqa: S608
    "guests": f"SELECT 1 FROM guests WHERE {GUESTS} LIMIT 1",  # noqa: S608
    "scans": f"SELECT 1 FROM scans WHERE {SCANS} LIMIT 1",  # noqa: S608
    "notifications": f"SELECT 1 FROM notifications WHERE {NOTIFICATIONS} LIMIT 1",  # noqa: S608
    "print_jobs": f"SELECT 1 FROM print_jobs WHERE {PRINT_JOBS} LIMIT 1",  # noqa: S608
    "report_keys": f"SELECT 1 FROM report_keys WHERE {KEYS} LIMIT 1",  # noqa: S608
}

_NAMED_VISITS = f"SELECT id FROM visits WHERE {VISITS} AND {NAMED}"  # noqa: S608
_DUE_GUESTS = f"SELECT id FROM guests WHERE {GUESTS}"  # noqa: S608
# What a dry run reports: exactly what the batches would count, read on one snapshot.
COUNTS = {
    "visits": f"SELECT count(*) FROM visits WHERE {VISITS} AND {NAMED}",  # noqa: S608
    "moods": f"SELECT count(*) FROM mood_answers WHERE visit_id IN ({_NAMED_VISITS})",  # noqa: S608
    "alerts": f"SELECT count(*) FROM host_alerts WHERE visit_id IN ({_NAMED_VISITS})",  # noqa: S608
    "registrations": (
        f"SELECT count(*) FROM event_registrations WHERE visit_id IN ({_NAMED_VISITS})"  # noqa: S608
    ),
    "guests": f"SELECT count(*) FROM guests WHERE {GUESTS}",  # noqa: S608
    "guest_cards": (
        "SELECT count(*) FROM cards WHERE revoked_at IS NULL "  # noqa: S608
        f"AND guest_id IN ({_DUE_GUESTS})"
    ),
    "scans": f"SELECT count(*) FROM scans WHERE {SCANS}",  # noqa: S608
    "print_jobs": f"SELECT count(*) FROM print_jobs WHERE {PRINT_JOBS}",  # noqa: S608
}


@dataclass(frozen=True)
class Cutoff:
    """Where retention draws the line: the stored UTC text, and the local month it falls in."""

    at: str
    month: str

    @property
    def params(self) -> dict[str, Any]:
        """The named parameters the predicates above use."""
        return {"cutoff": self.at, "month": self.month}


def is_due(db: sqlite_utils.Database, kind: str, cutoff: Cutoff) -> bool:
    """Whether any row of ``kind`` (a key of :data:`CHECKS`) is due; reads one index entry."""
    return db.execute(CHECKS[kind], cutoff.params).fetchone() is not None


def count_due(db: sqlite_utils.Database, cutoff: Cutoff) -> dict[str, int]:
    """How many rows of each counted kind a pass would change now (see :data:`COUNTS`)."""
    return {kind: int(db.execute(sql, cutoff.params).fetchone()[0]) for kind, sql in COUNTS.items()}
