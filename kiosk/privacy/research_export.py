"""The pseudonymised research export for the University of Oulu's MicroENTRE group.

Only members who agreed to research use (``research_consent = 1``, not erased) are in it.
Each member appears under a stable pseudonym, ``P`` + 16 hex characters of
HMAC-SHA256(research key, "member:<id>"). The research key is generated into the instance
folder (``research_key``, mode 600) on first use and never leaves the kiosk: with the key the
kiosk can re-link a pseudonym (for a withdrawal of consent), without it nobody can. The same
key gives the same pseudonyms in every export, so the group can follow a person over time.

No names, emails, phone numbers, companies, business ids or free text are exported. Times
are coarse: the ISO week, the weekday, the part of the day and the stay rounded to 15
minutes. Visit ids are replaced by keyed digests too, because the municipality's visits
report lists visit ids beside names.

The folder written holds ``members.csv``, ``visits.csv``, ``data_dictionary.md`` and
``data_dictionary.json``. Every export writes an audit entry.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk import audit
from kiosk.reports.month import Month
from kiosk.settings import read_or_create_secret
from kiosk.timeutil import from_db, to_db

KEY_FILE = "research_key"
STAY_ROUNDING_MINUTES = 15
FORMAT_VERSION = "1"

MEMBER_COLUMNS: list[tuple[str, str, str]] = [
    ("pseudonym", "text", "Stable pseudonym of the member: P + 16 hex characters (keyed HMAC)."),
    ("language", "fi|sv|en", "The language the member uses at the kiosk."),
    ("joined_quarter", "YYYY-Qn", "The calendar quarter the member joined, in Europe/Helsinki."),
    ("consent_version", "text", "Version of the privacy notice the member accepted."),
    ("visits_in_period", "integer", "How many visits of the member are in visits.csv."),
]

VISIT_COLUMNS: list[tuple[str, str, str]] = [
    ("visit_key", "text", "Pseudonym of the visit: V + 12 hex characters (keyed HMAC)."),
    ("pseudonym", "text", "The member's pseudonym (see members.csv)."),
    ("iso_week", "YYYY-Www", "ISO week of the check-in, local time."),
    ("weekday", "1-7", "ISO weekday of the check-in (1 = Monday)."),
    (
        "day_part",
        "morning|afternoon|evening",
        "Part of the day of the check-in: before 12, 12-17, from 17 (local time).",
    ),
    (
        "stay_minutes",
        "integer or empty",
        f"Length of the stay rounded to {STAY_ROUNDING_MINUTES} minutes; empty when the "
        "visit has no check-out yet.",
    ),
    ("checkout", "card|manual|automatic or empty", "How the visit ended."),
    ("mood", "1-5 or empty", "Answer to 'Mitä kuuluu?': 1 is the best, 5 the hardest."),
    ("asked_for_chat", "0|1", "Whether the member asked the host for a chat during the visit."),
    (
        "help_topics",
        "topics separated by |",
        "Help topics the member asked about (the kiosk's topic keys, e.g. rahoitus).",
    ),
    ("at_event", "0|1", "Whether the visit was for an event."),
]


@dataclass
class ResearchExport:
    """What an export wrote."""

    folder: Path
    members: int
    visits: int
    period: tuple[str, str]


def research_key(instance: Path) -> bytes:
    """Return the research key kept in the instance folder, creating it on first use."""
    return read_or_create_secret(Path(instance) / KEY_FILE).encode("ascii")


def pseudonym(key: bytes, member_id: int) -> str:
    """Return the member's stable pseudonym under ``key``."""
    return "P" + hmac.new(key, f"member:{member_id}".encode(), hashlib.sha256).hexdigest()[:16]


def visit_key(key: bytes, visit_id: int) -> str:
    """Return a visit's pseudonym under ``key``."""
    return "V" + hmac.new(key, f"visit:{visit_id}".encode(), hashlib.sha256).hexdigest()[:12]


def _quarter(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def _day_part(hour: int) -> str:
    if hour < 12:
        return "morning"
    return "afternoon" if hour < 17 else "evening"


def _round_minutes(minutes: float) -> int:
    step = STAY_ROUNDING_MINUTES
    return int(round(minutes / step) * step)


def dictionary(period: tuple[str, str], members: int, visits: int) -> dict[str, Any]:
    """The data dictionary as JSON-ready data."""

    def columns(spec: list[tuple[str, str, str]]) -> list[dict[str, str]]:
        return [{"name": n, "type": t, "description": d} for n, t, d in spec]

    return {
        "format_version": FORMAT_VERSION,
        "source": "Tankkaamo kiosk, Yritystankkaamo, Laukaa",
        "period": {"from_month": period[0], "to_month": period[1]},
        "population": "Members who agreed to research use (research_consent) and were not "
        "erased, with their visits that checked in during the period.",
        "pseudonymisation": "HMAC-SHA256 with a key kept only on the kiosk; pseudonyms are "
        "stable between exports. No names, contact details, companies, business ids or free "
        "text. Times are coarsened to ISO week, weekday and part of the day.",
        "counts": {"members": members, "visits": visits},
        "files": {
            "members.csv": columns(MEMBER_COLUMNS),
            "visits.csv": columns(VISIT_COLUMNS),
        },
    }


def _markdown(data: dict[str, Any]) -> str:
    lines = [
        "# Tankkaamo kiosk research export: data dictionary",
        "",
        f"Period: {data['period']['from_month']} to {data['period']['to_month']} "
        f"(format {data['format_version']}).",
        "",
        f"Population: {data['population']}",
        "",
        f"Pseudonymisation: {data['pseudonymisation']}",
        "",
        f"Rows: {data['counts']['members']} members, {data['counts']['visits']} visits.",
        "",
        "Files are UTF-8 CSV with a header row, comma-separated.",
    ]
    for name, cols in data["files"].items():
        lines += ["", f"## {name}", "", "| column | values | meaning |", "| --- | --- | --- |"]
        lines += [f"| `{c['name']}` | {c['type']} | {c['description']} |" for c in cols]
    return "\n".join(lines) + "\n"


def export_research(
    db: sqlite_utils.Database,
    month_from: Month,
    month_to: Month,
    tz: ZoneInfo,
    instance: Path,
    out: Path,
    now: datetime,
    actor: str,
) -> ResearchExport:
    """Write the pseudonymised export of visits in ``month_from``..``month_to`` into ``out``."""
    if month_to < month_from:
        raise ValueError("the last month comes before the first")
    key = research_key(instance)
    start = month_from.db_bounds(tz)[0]
    end = month_to.db_bounds(tz)[1]
    members = list(
        db.query(
            "SELECT id, language, created_at, consent_version FROM members "
            "WHERE research_consent = 1 AND forgotten_at IS NULL ORDER BY id"
        )
    )
    consenting = {m["id"] for m in members}
    visits = [
        row
        for row in db.query(
            """
            SELECT v.id, v.member_id, v.checked_in_at, v.checked_out_at, v.checkout_method,
                   v.event_id, ma.mood,
                   (SELECT max(a.wants_chat) FROM host_alerts a
                     WHERE a.visit_id = v.id AND a.kind = 'request') AS wants_chat,
                   (SELECT group_concat(a.topics, '') FROM host_alerts a
                     WHERE a.visit_id = v.id AND a.kind = 'request') AS topics
            FROM visits v
            LEFT JOIN mood_answers ma ON ma.visit_id = v.id
            WHERE v.member_id IS NOT NULL AND v.anonymised_at IS NULL
              AND v.checked_in_at >= ? AND v.checked_in_at < ?
            ORDER BY v.checked_in_at, v.id
            """,
            [start, end],
        )
        if row["member_id"] in consenting
    ]
    out.mkdir(parents=True, exist_ok=True)
    per_member: dict[int, int] = {}
    with (out / "visits.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([c[0] for c in VISIT_COLUMNS])
        for visit in visits:
            per_member[visit["member_id"]] = per_member.get(visit["member_id"], 0) + 1
            checked_in = from_db(visit["checked_in_at"]).astimezone(tz)
            year, week, weekday = checked_in.isocalendar()
            stay = ""
            if visit["checked_out_at"]:
                minutes = (
                    from_db(visit["checked_out_at"]) - from_db(visit["checked_in_at"])
                ).total_seconds() / 60
                stay = _round_minutes(minutes)
            topics: set[str] = set()
            for chunk in (visit["topics"] or "").replace("][", "]\n[").splitlines():
                try:
                    topics.update(str(t) for t in json.loads(chunk))
                except ValueError:
                    continue
            writer.writerow(
                [
                    visit_key(key, visit["id"]),
                    pseudonym(key, visit["member_id"]),
                    f"{year}-W{week:02d}",
                    weekday,
                    _day_part(checked_in.hour),
                    stay,
                    visit["checkout_method"] or "",
                    visit["mood"] if visit["mood"] is not None else "",
                    int(bool(visit["wants_chat"])),
                    "|".join(sorted(topics)),
                    int(visit["event_id"] is not None),
                ]
            )
    with (out / "members.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([c[0] for c in MEMBER_COLUMNS])
        for member in members:
            writer.writerow(
                [
                    pseudonym(key, member["id"]),
                    member["language"],
                    _quarter(from_db(member["created_at"]).astimezone(tz)),
                    member["consent_version"] or "",
                    per_member.get(member["id"], 0),
                ]
            )
    period = (str(month_from), str(month_to))
    data = dictionary(period, len(members), len(visits))
    (out / "data_dictionary.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (out / "data_dictionary.md").write_text(_markdown(data), encoding="utf-8")
    audit.record(
        db,
        now,
        actor,
        "research.export",
        None,
        period=f"{period[0]}..{period[1]}",
        members=len(members),
        visits=len(visits),
        exported_at=to_db(now),
    )
    return ResearchExport(out, len(members), len(visits), period)
