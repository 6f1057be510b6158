"""Erasing a person ("right to be forgotten") while keeping the anonymous counts."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk import audit
from kiosk.db import checkpoint
from kiosk.members import get_member
from kiosk.notify import queue as notify_queue
from kiosk.privacy.freeze import forget_keys, freeze_visits
from kiosk.reports.facts import live_person
from kiosk.settings import Settings
from kiosk.timeutil import to_db
from kiosk.transactions import write_transaction


def forget_member(
    db: sqlite_utils.Database,
    member_id: int,
    now: datetime,
    actor: str,
    preview_dir: Path | None = None,
    tz: ZoneInfo | None = None,
) -> dict[str, int]:
    """Erase a member's personal data everywhere; return how many rows were touched.

    The member row stays as an empty tombstone (so event counts still add up), their cards
    are deleted, their print jobs emptied (and their badge previews deleted from
    ``preview_dir``, where badges go to PNG files), and their visits are unlinked from them: the
    visits, moods and alerts remain only as anonymous counts: their figures are frozen first
    (:mod:`kiosk.privacy.freeze`), so no closed month's report changes. Afterwards the WAL is
    checkpointed, so the erased data is not left readable in the ``-wal`` file.
    """
    get_member(db, member_id)
    stamp = to_db(now)
    tz = tz or Settings().tz
    with write_transaction(db):
        freeze_visits(db, "v.member_id = :member", {"member": member_id}, tz)
        job_ids = _erase_print_jobs(db, member_id, stamp)
        notify_queue.erase_for_member(db, member_id, stamp)
        db["members"].update(
            member_id,
            {
                "name": "",
                "first_name": "",
                "company": None,
                "business_id": None,
                "email": None,
                "phone": None,
                "pin_hash": None,
                "interests": None,
                "can_help_with": None,
                "looking_for": None,
                "approach_ok": 0,
                "size_class": None,
                "company_new": None,
                "gender": None,
                "age_band": None,
                "research_consent": 0,
                "active": 0,
                "forgotten_at": stamp,
                "updated_at": stamp,
            },
        )
        # The cards go entirely: a token is the key to the person's old visits in the scan
        # log and print jobs, and a forgotten person's card should simply be unknown.
        cards = db.execute("DELETE FROM cards WHERE member_id = ?", [member_id]).rowcount
        visits = db.execute(
            "UPDATE visits SET member_id = NULL, anonymised_at = ?, board_topics = NULL, "
            "board_opt_in = 0 WHERE member_id = ?",
            [stamp, member_id],
        ).rowcount
        forget_keys(db, person=live_person(member_id, None))
        audit.record(
            db,
            now,
            actor,
            "member.forget",
            f"member:{member_id}",
            visits=visits,
            jobs=len(job_ids),
        )
    checkpoint(db)
    previews = delete_previews(preview_dir, job_ids)
    return {"cards": cards, "visits": visits, "print_jobs": len(job_ids), "previews": previews}


ERASE_JOB = """
    UPDATE print_jobs SET payload = '{}', last_error = 'erased', updated_at = ?,
    status = CASE WHEN status IN ('pending', 'printing') THEN 'cancelled' ELSE status END
    WHERE id = ?
"""


def _erase_print_jobs(db: sqlite_utils.Database, member_id: int, stamp: str) -> list[int]:
    # Badge and card jobs carry the name and the card token: empty them, and cancel the ones
    # not printed yet. They are found by the member's visits and by their card tokens.
    ids = {
        row["id"]
        for row in db.query(
            "SELECT id FROM print_jobs WHERE visit_id IN "
            "(SELECT id FROM visits WHERE member_id = ?)",
            [member_id],
        )
    }
    for card in list(db.query("SELECT token FROM cards WHERE member_id = ?", [member_id])):
        ids.update(
            row["id"]
            for row in db.query(
                "SELECT id FROM print_jobs WHERE instr(payload, ?) > 0", [card["token"]]
            )
        )
    # Jobs made for someone not present (an event's name tags) have no visit: find those by
    # the name they carry. Another person with the very same full name may lose a badge
    # payload too; erring that way is the safe side.
    name = list(db.query("SELECT name FROM members WHERE id = ?", [member_id]))
    if name and len(name[0]["name"].strip()) >= 3:
        ids.update(
            row["id"]
            for row in db.query(
                "SELECT id FROM print_jobs WHERE kind != 'roll_call' AND instr(payload, ?) > 0",
                [json.dumps(name[0]["name"], ensure_ascii=False)[1:-1]],
            )
        )
    ids.update(_redact_roll_calls(db, member_id, stamp))
    for job_id in ids - set(_roll_call_ids(db)):
        db.execute(ERASE_JOB, [stamp, job_id])
    return sorted(ids)


def _roll_call_ids(db: sqlite_utils.Database) -> list[int]:
    return [row["id"] for row in db.query("SELECT id FROM print_jobs WHERE kind = 'roll_call'")]


def _redact_roll_calls(db: sqlite_utils.Database, member_id: int, stamp: str) -> set[int]:
    # A roll call lists everyone present, by name. It carries no ids, so the person is found
    # by name and company as the roll call printed them; their line stays, blanked, so the
    # count of people inside is still right. Printed roll calls are emptied anyway.
    member = list(db.query("SELECT name, company FROM members WHERE id = ?", [member_id]))
    if not member or not member[0]["name"]:
        return set()
    name, company = member[0]["name"], member[0]["company"] or ""
    touched: set[int] = set()
    rows = db.query(
        "SELECT id, payload FROM print_jobs WHERE kind = 'roll_call' AND instr(payload, ?) > 0",
        [json.dumps(name, ensure_ascii=False)[1:-1]],
    )
    for row in list(rows):
        try:
            payload = json.loads(row["payload"])
        except ValueError:
            payload = {}
        people = payload.get("people") if isinstance(payload, dict) else None
        if not isinstance(people, list):
            db.execute(ERASE_JOB, [stamp, row["id"]])
            touched.add(row["id"])
            continue
        for person in people:
            if isinstance(person, dict) and person.get("name") == name:
                if person.get("company", "") in {company, ""}:
                    person.update(name="–", company="", host="")
        db.execute(
            "UPDATE print_jobs SET payload = ?, updated_at = ? WHERE id = ?",
            [json.dumps(payload, ensure_ascii=False), stamp, row["id"]],
        )
        touched.add(row["id"])
    return touched


def delete_previews(directory: Path | None, job_ids: list[int]) -> int:
    """Delete the badge preview images of ``job_ids`` (``preview:`` printers); return how many."""
    if directory is None or not directory.is_dir():
        return 0
    deleted = 0
    for job_id in job_ids:
        for path in directory.glob(f"*-job{job_id}-*"):
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
