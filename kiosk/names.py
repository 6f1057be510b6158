"""Cleaning up names and other short free text typed by people."""

from __future__ import annotations

import unicodedata

from kiosk.errors import InvalidInput

MAX_NAME_LENGTH = 120
MAX_TEXT_LENGTH = 200


def clean_text(value: object, *, field: str, max_length: int = MAX_TEXT_LENGTH) -> str:
    """Normalise free text: NFC, no control characters, single spaces, bounded length."""
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch == " ")
    text = " ".join(text.split())
    if len(text) > max_length:
        raise InvalidInput(f"{field} is too long (at most {max_length} characters)", field)
    return text


def clean_name(value: object, *, field: str = "name") -> str:
    """Return a cleaned, required personal name."""
    name = clean_text(value, field=field, max_length=MAX_NAME_LENGTH)
    if not name:
        raise InvalidInput(f"{field} is required", field)
    return name


def first_name_of(full_name: str) -> str:
    """Return the name to greet a person by: the first word of their name."""
    return full_name.split()[0] if full_name.split() else full_name
