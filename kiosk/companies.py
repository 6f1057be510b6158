"""Telling companies apart: by Y-tunnus, else by name, with names matched to known Y-tunnus.

Names are compared after Unicode normalisation (NFKC), case folding (``str.casefold``, which
folds Ä, Ö and Å as well as ASCII) and collapsing white space, so "Äänekosken Ääni Oy" and
"ÄÄNEKOSKEN  ääni oy" are one company. When any member gave both a name and a Y-tunnus, the
name is remembered in ``known_companies``; a visitor who gave only that name then counts as
that Y-tunnus, not as a second company.
"""

from __future__ import annotations

import re
import unicodedata

import sqlite_utils

_SPACES = re.compile(r"\s+")


def name_key(name: str | None) -> str | None:
    """The comparable form of a company name, or None when there is no name."""
    if not name:
        return None
    folded = _SPACES.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()
    return folded or None


def clean_business_id(business_id: str | None) -> str | None:
    """A Y-tunnus without surrounding spaces, or None when empty."""
    text = (business_id or "").strip().upper()
    return text or None


def company_key(business_id: str | None, company: str | None, known: dict[str, str]) -> str | None:
    """``y:<Y-tunnus>`` or ``n:<name key>``: the same key for the same company; None if neither."""
    bid = clean_business_id(business_id)
    if bid:
        return f"y:{bid}"
    key = name_key(company)
    if key is None:
        return None
    return f"y:{known[key]}" if key in known else f"n:{key}"


def remember_companies(db: sqlite_utils.Database, member_id: int | None = None) -> None:
    """Remember members' company names with their Y-tunnus (the first one given wins).

    With ``member_id``, only that member's; without, every member's.
    """
    sql = (
        "SELECT company, business_id FROM members "
        "WHERE company IS NOT NULL AND business_id IS NOT NULL"
    )
    params: list[int] = []
    if member_id is not None:
        sql += " AND id = ?"
        params.append(member_id)
    rows = db.execute(sql + " ORDER BY id", params).fetchall()
    for company, business_id in rows:
        key, bid = name_key(company), clean_business_id(business_id)
        if key and bid:
            db.execute(
                "INSERT OR IGNORE INTO known_companies (name_key, business_id) VALUES (?, ?)",
                [key, bid],
            )


def known_companies(db: sqlite_utils.Database) -> dict[str, str]:
    """Company name keys mapped to their Y-tunnus."""
    return dict(db.execute("SELECT name_key, business_id FROM known_companies").fetchall())
