"""The "Täällä tänään" board: members who chose, on this visit, to be seen on the kiosk.

Rules, which the board's query enforces rather than trusts:

* A member opts in on their greeting screen, for **that visit only** (``visits.board_opt_in``
  and ``visits.board_topics``). The next visit starts hidden again.
* The board reads **open visits only**, so a person disappears from it at check-out (by card,
  by hand, or at closing time) without anything to clean up.
* It shows a first name, a company and the topics the person chose, nothing else. Topics are
  chosen from the configured help topics only: the member's own profile tags (interests,
  "can help with") are never put on the door screen, where anyone behind them could read
  them. Free text typed at the door is not accepted.
* Guests cannot opt in; members whose data was erased or who were deactivated never show.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from kiosk.errors import InvalidInput, NotFound
from kiosk.transactions import write_transaction

MAX_TOPICS = 5
_SPLIT = re.compile(r"[,;\n]")


def split_tags(text: str | None) -> list[str]:
    """Split a comma- or semicolon-separated tag text into clean tags, keeping the first
    spelling of each (case-insensitively)."""
    seen: set[str] = set()
    tags: list[str] = []
    for part in _SPLIT.split(text or ""):
        tag = " ".join(part.split())
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def topic_choices(
    db: sqlite_utils.Database, visit_id: int, help_topics: Sequence[str] = ()
) -> list[str]:
    """The topics a member may show on the board for this visit: the configured help topics.

    The member's own profile tags are left out on purpose: the opt-in is on the door screen.
    """
    _visit_member(db, visit_id)  # a member's visit, or NotFound
    choices: list[str] = []
    seen: set[str] = set()
    for tag in help_topics:
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            choices.append(tag)
    return choices


def _visit_member(db: sqlite_utils.Database, visit_id: int) -> dict[str, Any]:
    rows = list(
        db.query(
            "SELECT v.id, v.checked_out_at, v.board_opt_in, v.board_topics, m.interests, "
            "m.can_help_with FROM visits v JOIN members m ON m.id = v.member_id "
            "WHERE v.id = ? AND m.forgotten_at IS NULL",
            [visit_id],
        )
    )
    if not rows:
        raise NotFound(f"visit {visit_id} is not a member's visit")
    return rows[0]


def opt_in(
    db: sqlite_utils.Database,
    visit_id: int,
    topics: Iterable[str],
    help_topics: Sequence[str] = (),
) -> list[str]:
    """Show the visit's member on the board with ``topics``; return the topics stored.

    Raises InvalidInput for a closed visit, a topic that is not among the choices, or too
    many topics; NotFound for a visit that is not a member's.
    """
    chosen = [" ".join(str(topic).split()) for topic in topics]
    chosen = list(dict.fromkeys(topic for topic in chosen if topic))
    with write_transaction(db):
        visit = _visit_member(db, visit_id)
        if visit["checked_out_at"] is not None:
            raise InvalidInput("the visit is already over", "visit")
        allowed = {choice.casefold(): choice for choice in topic_choices(db, visit_id, help_topics)}
        unknown = [topic for topic in chosen if topic.casefold() not in allowed]
        if unknown:
            raise InvalidInput("a topic that was not offered", "topic")
        if len(chosen) > MAX_TOPICS:
            raise InvalidInput(f"at most {MAX_TOPICS} topics", "topic")
        stored = [allowed[topic.casefold()] for topic in chosen]
        db.execute(
            "UPDATE visits SET board_opt_in = 1, board_topics = ? WHERE id = ?",
            [json.dumps(stored, ensure_ascii=False), visit_id],
        )
    return stored


def opt_out(db: sqlite_utils.Database, visit_id: int) -> None:
    """Take the visit's member off the board (and forget the chosen topics)."""
    db.execute("UPDATE visits SET board_opt_in = 0, board_topics = NULL WHERE id = ?", [visit_id])


def visit_board_state(db: sqlite_utils.Database, visit_id: int) -> tuple[bool, list[str]]:
    """Whether the visit is on the board now, and its chosen topics."""
    rows = list(
        db.query(
            "SELECT board_opt_in, board_topics, checked_out_at FROM visits WHERE id = ?",
            [visit_id],
        )
    )
    if not rows or rows[0]["checked_out_at"] is not None or not rows[0]["board_opt_in"]:
        return False, []
    return True, _topics(rows[0]["board_topics"])


def _topics(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


def board(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The board: ``first_name``, ``company`` and ``topics`` of each member who opted in on
    their current open visit, earliest arrival first. Nothing else leaves this function."""
    rows = db.query(
        """
        SELECT m.first_name, m.company, v.board_topics
        FROM visits v JOIN members m ON m.id = v.member_id
        WHERE v.checked_out_at IS NULL AND v.board_opt_in = 1
          AND v.anonymised_at IS NULL AND m.forgotten_at IS NULL AND m.active = 1
        ORDER BY v.checked_in_at, v.id
        """
    )
    return [
        {
            "first_name": row["first_name"],
            "company": row["company"] or "",
            "topics": _topics(row["board_topics"]),
        }
        for row in rows
    ]
