"""Adding members in bulk from a CSV file, reporting each rejected row by its line number."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from kiosk.errors import InvalidInput
from kiosk.members import NewMember, add_member

COLUMN_ALIASES = {
    "name": "name", "nimi": "name",
    "company": "company", "yritys": "company",
    "business_id": "business_id", "y-tunnus": "business_id", "y_tunnus": "business_id",
    "email": "email", "sähköposti": "email",
    "phone": "phone", "puhelin": "phone",
    "language": "language", "kieli": "language",
    "interests": "interests", "kysy minulta": "interests",
}  # fmt: skip
MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass
class ImportRow:
    """The fate of one data row of the file."""

    line: int
    member_id: int | None = None
    error: str | None = None


def read_rows(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Parse CSV text (comma or semicolon); return the known columns and numbered rows."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # newline="" lets the csv module see the file's own line ends, as its docs ask.
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("the file is empty") from None
    except csv.Error as exc:
        raise InvalidInput(f"line 1 is not valid CSV: {exc}") from None
    columns = [COLUMN_ALIASES.get(h.strip().lower(), "") for h in header]
    if "name" not in columns:
        raise InvalidInput("the file needs a 'name' (or 'nimi') column")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # The rows before were imported; nothing after a broken line is guessed at.
                raise InvalidInput(f"line {reader.line_num} is not valid CSV: {exc}") from None
            if any(v.strip() for v in values):
                yield reader.line_num, {c: v for c, v in zip(columns, values, strict=False) if c}

    return [c for c in columns if c], rows()


def import_members(
    db: sqlite_utils.Database, text: str, now: datetime, consent_version: str = ""
) -> Iterator[ImportRow]:
    """Add a member for each valid row; yield each row's result as it is processed."""
    _columns, rows = read_rows(text)
    for line, values in rows:
        email = values.get("email", "").strip().lower()
        if email and list(db.query("SELECT 1 FROM members WHERE email = ?", [email])):
            yield ImportRow(line, error=f"the email {email} is already a member's")
            continue
        try:
            member_id, _token = add_member(
                db,
                NewMember(
                    name=values.get("name", ""),
                    company=values.get("company", ""),
                    business_id=values.get("business_id", ""),
                    email=email,
                    phone=values.get("phone", ""),
                    language=(values.get("language", "") or "fi").strip().lower(),
                    interests=values.get("interests", ""),
                    consent_version=consent_version,
                ),
                now,
            )
        except InvalidInput as exc:
            yield ImportRow(line, error=str(exc))
        else:
            yield ImportRow(line, member_id=member_id)
