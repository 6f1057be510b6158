"""The retention's work, one small batch at a time.

Each function here does at most ``size`` rows of one kind, inside the caller's write
transaction, and returns how many rows it took with what it counted. The oldest rows go
first, and a row leaves the set a batch picks from as soon as it is done, so a batch that is
rolled back, or a pass that stops between batches, leaves nothing half done: the next batch,
or the next pass, picks up where the last committed one ended.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.notify import queue as notify_queue
from kiosk.privacy.freeze import forget_keys, freeze_visits
from kiosk.privacy.retention_due import GUESTS, NAMED, PRINT_JOBS, SCANS, VISITS, Cutoff

Counts = dict[str, int]

_IDS = "(SELECT value FROM json_each(:ids))"  # the batch's ids travel as one JSON parameter


def visits(
    db: sqlite_utils.Database, cutoff: Cutoff, stamp: str, size: int, tz: ZoneInfo
) -> tuple[int, Counts]:
    """Freeze and unlink the oldest due visits; mark the ones that had no person left.

    Their mood answers and alerts stay (counted here), their registrations lose the link.
    """
    ids = [
        row[0]
        for row in db.execute(
            f"SELECT id FROM visits WHERE {VISITS} ORDER BY checked_in_at, id LIMIT :size",  # noqa: S608
            {**cutoff.params, "size": size},
        )
    ]
    if not ids:
        return 0, {}
    params = {"ids": json.dumps(ids), "stamp": stamp}
    freeze_visits(db, f"v.id IN {_IDS}", params, tz, registrations=False)
    named = f"SELECT id FROM visits WHERE id IN {_IDS} AND {NAMED}"  # noqa: S608

    def count(table: str) -> int:
        sql = f"SELECT count(*) FROM {table} WHERE visit_id IN ({named})"  # noqa: S608
        return int(db.execute(sql, params).fetchone()[0])

    counts = {"moods": count("mood_answers"), "alerts": count("host_alerts")}
    counts["registrations"] = db.execute(
        f"UPDATE event_registrations SET visit_id = NULL WHERE visit_id IN ({named})",  # noqa: S608
        params,
    ).rowcount
    counts["visits"] = db.execute(
        "UPDATE visits SET member_id = NULL, guest_id = NULL, board_topics = NULL, "  # noqa: S608
        f"board_opt_in = 0, anonymised_at = :stamp WHERE id IN {_IDS} AND {NAMED}",
        params,
    ).rowcount
    # Visits that lost their person another way (an erased member) get the mark too, so
    # every report treats them alike; they are not counted as newly anonymised.
    db.execute(
        f"UPDATE visits SET anonymised_at = :stamp WHERE id IN {_IDS} "  # noqa: S608
        "AND anonymised_at IS NULL AND member_id IS NULL AND guest_id IS NULL",
        params,
    )
    return len(ids), counts


def guests(
    db: sqlite_utils.Database, cutoff: Cutoff, stamp: str, size: int, tz: ZoneInfo
) -> tuple[int, Counts]:
    """Blank the oldest due guests and revoke their badge cards; the rows stay."""
    ids = [
        row[0]
        for row in db.execute(
            f"SELECT id FROM guests WHERE {GUESTS} ORDER BY created_at, id LIMIT :size",  # noqa: S608
            {**cutoff.params, "size": size},
        )
    ]
    if not ids:
        return 0, {}
    params = {"ids": json.dumps(ids), "stamp": stamp}
    db.execute(
        "UPDATE guests SET name = '', first_name = '', company = NULL, purpose = NULL, "  # noqa: S608
        "host_name = NULL, size_class = NULL, company_new = NULL, gender = NULL, "
        f"age_band = NULL, anonymised_at = :stamp WHERE id IN {_IDS}",
        params,
    )
    cards = db.execute(
        f"UPDATE cards SET revoked_at = :stamp WHERE guest_id IN {_IDS} AND revoked_at IS NULL",  # noqa: S608
        params,
    ).rowcount
    return len(ids), {"guests": len(ids), "guest_cards": cards}


def scans(
    db: sqlite_utils.Database, cutoff: Cutoff, stamp: str, size: int, tz: ZoneInfo
) -> tuple[int, Counts]:
    """Drop the card digest and visit link of the oldest due scans."""
    done = db.execute(
        "UPDATE scans SET code_digest = 'anonymised', visit_id = NULL WHERE id IN "  # noqa: S608
        f"(SELECT id FROM scans WHERE {SCANS} ORDER BY received_at LIMIT :size)",
        {**cutoff.params, "size": size},
    ).rowcount
    return done, {"scans": done}


def notifications(
    db: sqlite_utils.Database, cutoff: Cutoff, stamp: str, size: int, tz: ZoneInfo
) -> tuple[int, Counts]:
    """Empty the subject and body of due finished messages (not counted, as before)."""
    return notify_queue.erase_older_than(db, cutoff.at, limit=size), {}


def print_jobs(
    db: sqlite_utils.Database, cutoff: Cutoff, stamp: str, size: int, tz: ZoneInfo
) -> tuple[int, Counts]:
    """Empty the payload (names, card tokens) of due finished print jobs."""
    done = db.execute(
        "UPDATE print_jobs SET payload = '{}', last_error = NULL WHERE id IN "  # noqa: S608
        f"(SELECT id FROM print_jobs WHERE {PRINT_JOBS} ORDER BY created_at LIMIT :size)",
        {**cutoff.params, "size": size},
    ).rowcount
    return done, {"print_jobs": done}


def report_keys(
    db: sqlite_utils.Database, cutoff: Cutoff, stamp: str, size: int, tz: ZoneInfo
) -> tuple[int, Counts]:
    """Delete the keys of months wholly before the cut-off (their visits are all frozen)."""
    return forget_keys(db, before_month=cutoff.month, limit=size), {}
