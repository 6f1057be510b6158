"""Members: the people who hold a card. Adding, editing, finding and deactivating them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from kiosk.cards import issue_member_card
from kiosk.companies import remember_companies
from kiosk.errors import InvalidInput, NotFound
from kiosk.names import clean_name, clean_text, first_name_of
from kiosk.profile import Profile
from kiosk.timeutil import to_db
from kiosk.transactions import write_transaction

LANGUAGES = ("fi", "sv", "en")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BUSINESS_ID_PATTERN = re.compile(r"^(\d{7})-(\d)$")
BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


@dataclass
class NewMember:
    """What is needed to add a member; everything but the name is optional."""

    name: str
    company: str = ""
    business_id: str = ""
    email: str = ""
    phone: str = ""
    language: str = "fi"
    interests: str = ""
    can_help_with: str = ""
    looking_for: str = ""
    approach_ok: bool = False
    research_consent: bool = False
    consent_version: str = ""
    is_demo: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    profile: Profile = field(default_factory=Profile)  # optional classes for the indicators


def valid_business_id(value: str) -> bool:
    """Check a Finnish business ID (Y-tunnus) such as 1572860-0, check digit included."""
    match = BUSINESS_ID_PATTERN.match(value)
    if not match:
        return False
    digits, check = match.group(1), int(match.group(2))
    remainder = sum(int(d) * w for d, w in zip(digits, BUSINESS_ID_WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return False
    return check == (0 if remainder == 0 else 11 - remainder)


def normalise_phone(value: str) -> str:
    """Keep a leading + and the digits, so that a typed number matches the stored one."""
    value = value.strip()
    digits = re.sub(r"\D", "", value)
    return ("+" + digits) if value.startswith("+") else digits


def _validated(member: NewMember) -> dict[str, Any]:
    name = clean_name(member.name)
    email = clean_text(member.email, field="email").lower()
    if email and not EMAIL_PATTERN.match(email):
        raise InvalidInput(f"not an email address: {email!r}", "email")
    business_id = clean_text(member.business_id, field="business_id")
    if business_id and not valid_business_id(business_id):
        raise InvalidInput(f"not a valid Y-tunnus: {business_id!r}", "business_id")
    phone = normalise_phone(clean_text(member.phone, field="phone"))
    if member.language not in LANGUAGES:
        raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}", "language")
    return {
        "name": name,
        "first_name": first_name_of(name),
        "company": clean_text(member.company, field="company") or None,
        "business_id": business_id or None,
        "email": email or None,
        "phone": phone or None,
        "language": member.language,
        "interests": clean_text(member.interests, field="interests") or None,
        "can_help_with": clean_text(member.can_help_with, field="can_help_with") or None,
        "looking_for": clean_text(member.looking_for, field="looking_for") or None,
        "approach_ok": int(member.approach_ok),
        "research_consent": int(member.research_consent),
        **member.profile.as_row(),
    }


def add_member(db: sqlite_utils.Database, member: NewMember, now: datetime) -> tuple[int, str]:
    """Add a member and issue their card; return ``(member_id, card_token)``."""
    row = _validated(member)
    stamp = to_db(now)
    row.update(
        created_at=stamp,
        updated_at=stamp,
        is_demo=int(member.is_demo),
        consent_version=member.consent_version or None,
        consent_at=stamp if member.consent_version else None,
    )
    with write_transaction(db):
        member_id = db["members"].insert(row).last_pk
        token = issue_member_card(db, member_id, now)
        remember_companies(db, member_id)
    return member_id, token


def update_member(
    db: sqlite_utils.Database, member_id: int, member: NewMember, now: datetime
) -> None:
    """Replace a member's details with ``member``'s (validated the same way as a new one)."""
    get_member(db, member_id)
    row = _validated(member)
    row["updated_at"] = to_db(now)
    with write_transaction(db):
        db["members"].update(member_id, row)
        remember_companies(db, member_id)


def record_consent(db: sqlite_utils.Database, member_id: int, version: str, now: datetime) -> None:
    """Record that the member accepted the privacy notice of ``version`` at ``now``."""
    get_member(db, member_id)
    db["members"].update(member_id, {"consent_version": version, "consent_at": to_db(now)})


def get_member(db: sqlite_utils.Database, member_id: int) -> dict[str, Any]:
    """Return the member row, or raise NotFound."""
    rows = list(db.query("SELECT * FROM members WHERE id = ?", [member_id]))
    if not rows:
        raise NotFound(f"no member with id {member_id}")
    return rows[0]


def set_active(db: sqlite_utils.Database, member_id: int, active: bool, now: datetime) -> None:
    """Deactivate (or reactivate) a member; an inactive member's card is refused at the door."""
    get_member(db, member_id)
    db["members"].update(member_id, {"active": int(active), "updated_at": to_db(now)})


def find_by_contact(db: sqlite_utils.Database, contact: str) -> dict[str, Any] | None:
    """Return the one active member whose email or phone is exactly ``contact``, else None.

    Used by the forgotten-card path: it never lists anyone, and an ambiguous match is no match.
    """
    text = contact.strip()
    if not text:
        return None
    if "@" in text:
        rows = list(
            db.query(
                "SELECT * FROM members WHERE email = ? AND active = 1 AND forgotten_at IS NULL",
                [text.lower()],
            )
        )
    else:
        phone = normalise_phone(text)
        if len(phone.lstrip("+")) < 6:
            return None
        rows = list(
            db.query(
                "SELECT * FROM members WHERE phone = ? AND active = 1 AND forgotten_at IS NULL",
                [phone],
            )
        )
    return rows[0] if len(rows) == 1 else None


def like_pattern(text: str) -> str:
    """A LIKE pattern (with ``ESCAPE '\\'``) matching ``text`` anywhere, taken literally:
    ``%`` and ``_`` typed by a user are characters, not wildcards."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_members(
    db: sqlite_utils.Database,
    text: str = "",
    *,
    limit: int = 50,
    offset: int = 0,
    include_email: bool = True,
) -> list[dict[str, Any]]:
    """Return members whose name, company (or, with ``include_email``, email) contains
    ``text``, by name."""
    email = "OR email LIKE :like ESCAPE '\\'" if include_email else ""
    return list(
        db.query(
            f"""
            SELECT * FROM members
            WHERE forgotten_at IS NULL
              AND (name LIKE :like ESCAPE '\\' OR company LIKE :like ESCAPE '\\' {email})
            ORDER BY name COLLATE NOCASE LIMIT :limit OFFSET :offset
            """,  # noqa: S608 - only a fixed clause is inserted
            {"like": like_pattern(text), "limit": limit, "offset": offset},
        )
    )


QUIET_AFTER = timedelta(weeks=4)
REGULAR_LOOKBACK = timedelta(weeks=12)
REGULAR_MIN_VISITS = 4


def quiet_regulars(db: sqlite_utils.Database, now: datetime) -> list[dict[str, Any]]:
    """Active members who came at least 4 times in the 12 weeks before the last 4, but not since.

    A list for gentle outreach ("we have missed you"), longest-quiet first.
    """
    quiet_since = now - QUIET_AFTER
    return list(
        db.query(
            """
            SELECT m.id, m.name, m.company, m.email, m.phone, m.approach_ok,
                   count(v.id) AS visits, max(v.checked_in_at) AS last_visit
            FROM members m JOIN visits v ON v.member_id = m.id
            WHERE m.active = 1 AND m.forgotten_at IS NULL
              AND v.checked_in_at >= :from
            GROUP BY m.id
            HAVING max(v.checked_in_at) < :quiet AND count(v.id) >= :min
            ORDER BY last_visit
            """,
            {
                "from": to_db(quiet_since - REGULAR_LOOKBACK),
                "quiet": to_db(quiet_since),
                "min": REGULAR_MIN_VISITS,
            },
        )
    )


@dataclass(frozen=True)
class MemberActivity:
    """When the member's active card was issued, their last visit and how many visits."""

    card_issued_at: str | None
    last_visit_at: str | None
    visit_count: int


def member_activity(db: sqlite_utils.Database, member_id: int) -> MemberActivity:
    """The member's card and visit figures for the staff member page (times as stored, UTC)."""
    card = db.execute(
        "SELECT issued_at FROM cards WHERE member_id = ? AND revoked_at IS NULL", [member_id]
    ).fetchone()
    last_visit_at, visit_count = db.execute(
        "SELECT max(checked_in_at), count(*) FROM visits WHERE member_id = ?", [member_id]
    ).fetchone()
    return MemberActivity(card[0] if card else None, last_visit_at, visit_count)
